# The two commands of the README.
.PHONY: demo test bench

demo:  ## install, migrate, load Bordeaux Métropole and serve http://127.0.0.1:8000
	scripts/demo.sh

test:  ## lint + the whole test suite on SQLite and PostgreSQL + peer comparisons
	scripts/test.sh

bench:  ## benchmarks (not part of the tests): see docs/benchmarks.md
	scripts/bench.sh
