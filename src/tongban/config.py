"""One Settings object for the whole platform, read from TONGBAN_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

# Development defaults. They are public (they are in the repository), so anything but
# development refuses to start with them.
DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105
DEV_AUDIT_KEY = "dev-only-audit-chain-key-do-not-use-in-production"
DEV_KEYSTORE_MASTER_KEY = "dev-only-keystore-master-key-do-not-use-in-production"


class Settings(BaseSettings):
    """Platform settings; every field is the env var TONGBAN_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TONGBAN_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default=f"sqlite:///{REPO_ROOT / 'var' / 'tongban.db'}")
    secret_key: str = DEV_SECRET_KEY
    # Key of the audit hash chain (HMAC-SHA256): whoever can write the database but does not
    # hold this key cannot recompute the chain after altering it.
    audit_key: str = DEV_AUDIT_KEY
    # Where signed checkpoints of the audit and exchange-log chain heads are appended (outside the
    # database; put it on another volume or host and ship the lines off-host, see docs/operations.md).
    checkpoint_dir: Path = REPO_ROOT / "var" / "checkpoints"
    # The file store (tongban/files): dispute evidence, licence PDFs, case materials, by SHA-256. Several
    # app nodes must share it (NFS or an S3-compatible store); back it up with the database.
    files_dir: Path = REPO_ROOT / "var" / "files"
    # The daily sweep (files/sweep.py) removes a stored file that no row names once it is this old: a
    # use-case writes its file before its rows commit, so a younger one may be about to be referenced.
    files_sweep_grace_hours: int = Field(default=24, ge=1)
    # Master key of the seal key store: every private key of a seal or of the platform's CA is
    # sealed with SM4-GCM under a key derived from it. Keep it out of the database and its backups.
    keystore_master_key: str = DEV_KEYSTORE_MASTER_KEY
    # Public address of the platform, printed in the QR code of every licence (verification page).
    public_url: str = "http://127.0.0.1:8000"
    session_cookie: str = "tongban_session"
    session_hours: int = 8
    # Browsers only send Secure cookies over HTTPS; production sits behind TLS.
    cookie_secure: bool = False
    # Login throttling (see docs/operations.md): failures are counted per user name AND address, so
    # that nobody can lock someone else's account from elsewhere, and answered the same for names that
    # exist and names that do not.
    login_max_failures: int = 5  # per name and address: then that address waits, doubling each round
    login_failure_window_minutes: int = 15  # window of the per-address and per-name counts
    login_lockout_minutes: int = 15  # first wait; each further round of failures doubles it …
    login_max_lockout_minutes: int = 1440  # … up to this
    login_ip_max_failures: int = 30  # per address, whatever the names: an address trying many accounts
    # Per name from all addresses within the window (a distributed guess): then only addresses that
    # logged in to that account successfully within `login_known_address_days` may still try.
    login_account_max_failures: int = 50
    # The argon2id cost of new password hashes. `standard` is RFC 9106's second recommended option (3 passes,
    # 64 MiB). `test` (1 pass, 8 KiB) exists only so that the test suite's thousands of logins do not spend
    # minutes hashing; it is refused outside TONGBAN_ENV=test, and a login under `standard` rehashes a
    # password stored at a lower cost.
    argon2_cost: Literal["standard", "test"] = "standard"
    login_known_address_days: int = 30
    city_name: str = "安康市"
    platform_name: str = "通办 · 一体化政务服务与数据共享平台"
    # Sharing-request deadlines in working days (provincial rules differ: configurable).
    sharing_compliance_days: int = 2  # platform compliance check
    sharing_provider_days: int = 5  # provider's answer when the data is already on the platform
    sharing_provider_days_offplatform: int = 10  # … when it is not yet on the platform
    sharing_objection_days: int = 10  # consumer may object to a refusal within this many working days
    sharing_coordination_days: int = 10  # platform's coordination of a dispute
    dispute_answer_days: int = 5  # provider's answer to a data-quality dispute (数据疑义), working days
    # 好差评 (local rules differ: configurable): working days given to rectify a bad rating (5–15), and the
    # default rating of a case not rated this many calendar days after its result (0: no default rating).
    rating_rectify_days: int = Field(default=10, ge=5, le=15)
    rating_default_after_days: int = Field(default=0, ge=0)
    rating_default_level: int = Field(default=3, ge=1, le=5)  # 3 基本满意 (5 非常满意 … 1 非常不满意)
    sharing_max_period_days: int = 1096  # longest validity a grant may be asked for (three years)
    # Exchange call quotas of a grant when its provider has not set its own (0: unlimited).
    exchange_default_calls_per_minute: int = 600
    exchange_default_calls_per_day: int = 100_000
    # Application systems (client codes, comma-separated) that call the exchange on behalf of end users, such as
    # 一网通办平台: the exchange serves them only the end user's own records, for a case of that end user open
    # to fetching, and never subscriptions or exports (exchange/access.py, end-user systems).
    exchange_end_user_systems: str = "ywtb-platform"
    # Public licence verification: PDF uploads per client address and minute (0: unlimited).
    verify_uploads_per_minute: int = 30
    # `tongban ingest --mode replace` refuses a file that would delete more than this share of the
    # register's live records (an empty, truncated or wrong file), unless --allow-mass-delete is given.
    ingest_max_delete_share: float = Field(default=0.1, ge=0.0, le=1.0)
    # Request bodies, refused with 413 before they are read (web/limits.py): every request up to
    # max_body_bytes (JSON and forms); the declared upload routes (licence PDF verification 10 MB,
    # catalog xlsx import 20 MB, dispute evidence 10 × 5 MB) up to their own limit, capped by max_upload_bytes.
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 64 * 1024 * 1024
    # Trust X-Forwarded-For only behind a known reverse proxy.
    trust_forwarded_for: bool = False
    # Notifications (docs/operations.md, 通知与消息). 站内信 always works; e-mail and SMS are on when configured.
    smtp_host: str = ""  # empty: no e-mail is made
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "通办平台 <noreply@localhost>"
    smtp_timeout_seconds: float = 10.0
    sms_gateway_url: str = ""  # empty: no SMS is made; else the HTTP adapter POSTs JSON here
    sms_api_key: str = ""
    sms_api_key_header: str = "X-API-Key"
    sms_timeout_seconds: float = 10.0
    notify_max_attempts: int = Field(default=5, ge=1)  # temporary failures are retried up to this many sends
    notify_retry_base_seconds: int = Field(default=60, ge=1)  # backoff: base × 2^(attempt − 1)
    # Per-recipient limits, counted over delivered messages (0: unlimited); a message over a limit fails
    # with failure_reason "rate_limited" and says which limit.
    notify_sms_per_phone_per_hour: int = 5
    notify_sms_per_phone_per_day: int = 20
    notify_email_per_address_per_hour: int = 30
    notify_email_per_address_per_day: int = 200
    # Job runner (docs/operations.md#jobs): how often an idle worker looks for due jobs, how long a claimed
    # job is leased to its worker (a killed worker's jobs are retried after this), the first retry wait
    # (doubling per attempt, capped at an hour), and how long finished jobs and run history are kept.
    jobs_poll_seconds: float = Field(default=1.0, gt=0)
    jobs_lease_seconds: int = Field(default=300, ge=5)
    jobs_retry_base_seconds: int = Field(default=30, ge=0)
    jobs_keep_days: int = Field(default=14, ge=1)
    # `tongban run` (make run) runs the jobs in a thread of the serving process; production runs `tongban worker`.
    jobs_in_process: bool = True
    # Database connections per process (PostgreSQL; docs/operations.md#connections) and the requests one process
    # handles at once in its thread pool. A request may hold two connections at a time (its own and a separate
    # one for the exchange log, a refusal's audit or a login throttle), so the pool must hold at least twice the
    # request threads, or every thread ends up holding one connection while waiting for a second.
    # The pool keeps `db_pool_size` connections open (at least one per request thread, so that a busy process does
    # not open and close connections per request) and opens up to `db_max_overflow` more for a moment.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # PostgreSQL: a pooled connection idle for longer than this is pinged before use (and replaced if the server
    # closed it, e.g. after a restart). One in steady use is not: the ping was a round trip on every request.
    db_ping_after_idle_seconds: float = Field(default=5.0, ge=0)
    request_threads: int = Field(default=16, ge=1)
    # FastAPI's own OpenTelemetry (spans and metrics of every request, to the providers an operator configures with
    # the OpenTelemetry SDK). Off unless asked for: even with no provider configured, asking whether one is cost
    # every request ~6 µs of CPU, 5 % of the lightest (bench/request_path.py).
    otel_telemetry: bool = False
    # How long a request may wait for its turn when `request_threads` are busy, before a 503 "busy" answer.
    request_wait_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _pool_holds_two_per_request(self) -> Settings:
        if self.db_pool_size + self.db_max_overflow < 2 * self.request_threads:
            raise ValueError("TONGBAN_DB_POOL_SIZE + TONGBAN_DB_MAX_OVERFLOW 须不少于 TONGBAN_REQUEST_THREADS 的两倍"
                             "（每个请求可能同时占用两个数据库连接）。")
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "production":
            weak = []
            if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
                weak.append("TONGBAN_SECRET_KEY")
            if self.audit_key == DEV_AUDIT_KEY or len(self.audit_key) < 32:
                weak.append("TONGBAN_AUDIT_KEY")
            if self.keystore_master_key == DEV_KEYSTORE_MASTER_KEY or len(self.keystore_master_key) < 32:
                weak.append("TONGBAN_KEYSTORE_MASTER_KEY")
            if weak:
                raise ValueError(
                    "生产环境必须设置至少 32 个字符的随机密钥，不能使用默认值: " + ", ".join(weak)
                )
        return self

    @model_validator(mode="after")
    def _test_hash_cost_only_in_tests(self) -> Settings:
        if self.argon2_cost != "standard" and self.env != "test":
            raise ValueError("TONGBAN_ARGON2_COST=test 仅用于测试环境（TONGBAN_ENV=test），"
                             "其他环境请删除该设置。")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to change them)."""
    return Settings()
