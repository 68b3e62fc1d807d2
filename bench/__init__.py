"""`make bench`: the platform's timing and memory benchmarks, run against a throw-away embedded stack.
`bench.run` is the entry point and owns the one JSON report; `bench.api_bench` owns the HTTP load
(filing, waiting for routing, tracking) and its figures; `bench.bare` owns the baseline, a bare workflow
of three no-op activities on the same Temporal server; `bench.nlp_bench`, when present, owns the NLP
figures and runs as a subprocess. Nothing here touches the developer's `var/` or a running `make run`."""
