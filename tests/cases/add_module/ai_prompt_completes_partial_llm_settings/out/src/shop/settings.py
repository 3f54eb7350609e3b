"""Application settings, read from environment variables and the `.env` file.

Every setting is named after its environment variable in lower case
(`APP_NAME` -> `app_name`). Use `get_settings()` instead of instantiating
`Settings` directly so the environment is parsed once per process.
"""

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The value `.env.example` shows: documented, public, and therefore refused.
PLACEHOLDER_SECRET_KEY = "change-me-to-a-random-secret-of-at-least-32-bytes"
# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
MIN_SECRET_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "local", "test"})
# The browser origins of local front-end dev servers (Next.js, Vite); allowed by
# default only in development environments.
DEVELOPMENT_CORS_ORIGINS = (
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
)
ONE_MEBIBYTE = 1024 * 1024
# What printing the settings shows instead of a secret (see `Settings.__repr_args__`).
SECRET_NAME_SUFFIXES = ("_key", "_password", "_token", "_secret")
HIDDEN = "**********"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
# Lists accept a JSON array (`["a", "b"]`) or comma-separated text (`a,b`).
StringList = Annotated[list[str], NoDecode]


class ConfigurationError(RuntimeError):
    """The environment does not describe a valid configuration."""


class Settings(BaseSettings):
    """Typed view of the service configuration."""

    app_name: str = "shop"
    app_env: str = "development"
    app_debug: bool = False
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    api_v1_prefix: str = "/api/v1"
    # Larger request bodies are answered 413 before anything parses them.
    app_max_body_bytes: int = Field(default=ONE_MEBIBYTE, ge=1)
    # /docs, /redoc and /openapi.json. Unset: on in development environments only
    # (see `apply_development_defaults`), since the schema maps every route.
    docs_enabled: bool = False

    cors_enabled: bool = True
    # Unset: the local dev servers in development environments, none elsewhere.
    cors_allow_origins: StringList = Field(default_factory=list)
    cors_allow_origin_regex: str | None = None
    cors_allow_credentials: bool = True
    cors_allow_methods: StringList = Field(default_factory=lambda: ["*"])
    cors_allow_headers: StringList = Field(default_factory=lambda: ["*"])
    cors_expose_headers: StringList = Field(default_factory=lambda: ["X-Request-ID"])
    cors_max_age: int = Field(default=600, ge=0)

    app_host: str = "127.0.0.1"
    app_port: int = Field(default=8000, ge=0, le=65535)
    # Off unless `.env` (written by `polepos start`) turns it on for local work.
    app_reload: bool = False
    uvicorn_workers: int = Field(default=1, ge=1)
    uvicorn_access_log: bool = True
    uvicorn_proxy_headers: bool = True
    uvicorn_forwarded_allow_ips: str | None = None
    uvicorn_server_header: bool = True
    uvicorn_date_header: bool = True
    uvicorn_timeout_keep_alive: int = Field(default=5, ge=0)
    uvicorn_timeout_graceful_shutdown: int | None = Field(default=None, ge=0)
    uvicorn_timeout_worker_healthcheck: int = Field(default=5, ge=1)
    uvicorn_limit_concurrency: int | None = Field(default=None, ge=1)
    uvicorn_limit_max_requests: int | None = Field(default=None, ge=1)
    uvicorn_limit_max_requests_jitter: int = Field(default=0, ge=0)
    uvicorn_backlog: int = Field(default=2048, ge=1)

    # No usable default: without a real key the service refuses to start.
    auth_secret_key: str = Field(default="", repr=False)
    auth_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    auth_access_token_expire_minutes: int = Field(default=60, ge=1)
    auth_issuer: str = "shop"
    # Clock skew tolerated when checking `exp` and `iat` of incoming tokens.
    auth_leeway_seconds: int = Field(default=10, ge=0, le=300)

    llm_provider: str = "openai"
    llm_model: str = "gpt-4o-mini"
    # polepos:auth-settings
    # polepos:integration-settings

    # LLM (ai-prompt modules; provider: openai, i.e. any OpenAI-compatible API, or anthropic)
    llm_api_key: str = ""
    llm_base_url: str = ""
    llm_timeout_seconds: float = 30.0
    llm_temperature: float = 0.2
    llm_max_tokens: int | None = None
    llm_max_response_bytes: int = 1024 * 1024
    # polepos:llm-settings
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        # An empty variable (`FOO=`) means "use the default", not "empty string".
        env_ignore_empty=True,
    )

    @field_validator(
        "cors_allow_origins",
        "cors_allow_methods",
        "cors_allow_headers",
        "cors_expose_headers",
        mode="before",
    )
    @classmethod
    def parse_string_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]

    @field_validator("app_env", "log_format", mode="before")
    @classmethod
    def normalise_lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", "auth_algorithm", mode="before")
    @classmethod
    def normalise_upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def apply_development_defaults(self) -> Self:
        """Serve the docs and allow the local dev servers only in development.

        Applies to the settings left unset; an explicit `DOCS_ENABLED` or
        `CORS_ALLOW_ORIGINS` holds in every environment.
        """
        if "docs_enabled" not in self.model_fields_set:
            self.docs_enabled = self.is_development
        if "cors_allow_origins" not in self.model_fields_set and self.is_development:
            self.cors_allow_origins = list(DEVELOPMENT_CORS_ORIGINS)
        return self

    @model_validator(mode="after")
    def require_a_real_secret_key(self) -> Self:
        """Refuse to sign or accept tokens with a missing, public or short key.

        This holds in every environment: a key that anyone can read in
        `.env.example` (or none at all) would let anyone mint valid tokens.
        """
        min_bytes = MIN_SECRET_KEY_BYTES[self.auth_algorithm]
        key = self.auth_secret_key
        if not key:
            problem = "is not set"
        elif key == PLACEHOLDER_SECRET_KEY:
            problem = "is the public placeholder from .env.example"
        elif len(key.encode()) < min_bytes:
            problem = f"is shorter than {min_bytes} bytes"
        else:
            return self
        raise ValueError(
            f"AUTH_SECRET_KEY {problem}: set it in .env or the environment to a random "
            f"secret of at least {min_bytes} bytes for {self.auth_algorithm}, e.g. the output "
            f"of {GENERATE_SECRET_KEY}"
        )

    @model_validator(mode="after")
    def refuse_debug_outside_development(self) -> Self:
        """APP_DEBUG shows tracebacks to clients and SQL parameters in logs."""
        if self.app_debug and not self.is_development:
            raise ValueError(
                f"APP_DEBUG=true is only allowed when APP_ENV is one of "
                f"{', '.join(sorted(DEVELOPMENT_ENVIRONMENTS))} (APP_ENV={self.app_env!r}); "
                "unset APP_DEBUG"
            )
        return self

    @model_validator(mode="after")
    def refuse_credentials_for_any_origin(self) -> Self:
        """Refuse to let every website make credentialed requests.

        Starlette answers a credentialed request from an allowed `*` origin by
        echoing that origin, so `*` with credentials would let any site call the
        API with the user's cookies.
        """
        allows_any_origin = "*" in self.cors_allow_origins
        if self.cors_enabled and self.cors_allow_credentials and allows_any_origin:
            raise ValueError(
                "CORS_ALLOW_ORIGINS=* cannot be combined with CORS_ALLOW_CREDENTIALS=true; "
                "list the allowed origins, or set CORS_ALLOW_CREDENTIALS=false"
            )
        return self

    @property
    def is_development(self) -> bool:
        """True for environments that may run with development defaults."""
        return self.app_env in DEVELOPMENT_ENVIRONMENTS

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        """The fields `repr()` and `str()` show, with secrets hidden.

        Settings end up in logs and tracebacks, and a broker URL (`REDIS_URL`,
        `RABBITMQ_URL`, ...) may carry a password: it shows as `***`. A text
        setting named like a secret (`..._key`, `..._password`, `..._token`,
        `..._secret`) shows as `**********`. Read the real value from the field.
        """
        for name, value in super().__repr_args__():
            if not isinstance(value, str):
                yield name, value
            elif value and name is not None and name.endswith(SECRET_NAME_SUFFIXES):
                yield name, HIDDEN
            else:
                yield name, hide_url_password(value)


def hide_url_password(text: str) -> str:
    """`text` with the password of a URL (`scheme://user:password@host/...`) as `***`.

    Anything that is not a URL with a password comes back unchanged.
    """
    scheme, separator, rest = text.partition("://")
    authority_end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    userinfo, at, host = rest[:authority_end].rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if not (separator and at and colon):
        return text
    return f"{scheme}://{user}:***@{host}{rest[authority_end:]}"


def _describe(error: ValidationError) -> str:
    lines = ["Invalid settings (check the environment variables and the .env file):"]
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]).upper()
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  - {field}: {message}" if field else f"  - {message}")
    return "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, parsed on first use.

    Raises `ConfigurationError` with one line per invalid variable.
    """
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None
