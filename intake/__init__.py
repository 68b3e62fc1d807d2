"""The one way in: every door (JSON API, web chat, LINE, and the officer and agency doors) hands a
filing to this package. It validates and normalises, applies the door's limits, allocates the tracking
number from one table, applies one idempotency rule, stores the filing durably and acknowledges; its
dispatcher (a background process, not a front) starts the workflows."""
