"""Agency connectors: how a forwarded case reaches an agency's own system, one module per protocol
(`damrongdham_json`, `open311`, `email`), all behind the interface in `base.py` and chosen per agency
by the directory's `connector` column through `registry.py`. Connectors do IO (HTTP, SMTP); the
activities call them, the workflows and the fronts never do. See docs/agency-protocol.md."""
