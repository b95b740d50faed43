# 通办 Tongban — the two commands a new engineer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install system-deps bench lint clean-db help

help:
	@echo "make run    安装依赖、迁移内置 SQLite 数据库、空库时加载演示城市，并在 http://127.0.0.1:8000 启动"
	@echo "make test   安装测试所需系统软件（PostgreSQL、Chromium、中文字体），在 SQLite 与 PostgreSQL 上运行全部测试"
	@echo "make bench  运行 bench/ 下的全部基准测试"
	@echo "make lint   ruff、mypy 与领域依赖（import-linter）检查"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/tongban run

system-deps:
	@bash scripts/install-system-deps.sh

test: install system-deps
	@bash scripts/test.sh

bench: install
	@bash scripts/install-system-deps.sh --bench
	@bash scripts/bench.sh

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

clean-db:
	rm -f var/tongban.db var/tongban.db-wal var/tongban.db-shm var/tongban.db-commit.lock
