# The two commands of the README.
.PHONY: demo test bench

demo:  ## install, migrate, load Bordeaux Métropole and serve http://127.0.0.1:8000
	scripts/demo.sh

test:  ## lint + the whole test suite on SQLite and PostgreSQL + peer comparisons
	scripts/test.sh

bench:  ## every benchmark (not part of the tests) → bench/results/, then docs/benchmarks.md's tables
	scripts/bench.sh
