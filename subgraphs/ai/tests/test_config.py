from __future__ import annotations

from pathlib import Path

import pytest

from supergraph_ai.config import REPO_ROOT, ConfigError, LlmProviderName, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.port == 4005
    assert settings.host == "0.0.0.0"
    assert settings.data_dir == REPO_ROOT / ".data" / "ai"
    assert settings.models_dir == REPO_ROOT / ".data" / "ai" / "models"
    assert settings.llm_provider is LlmProviderName.LOCAL
    assert settings.signing_secret is None
    assert settings.redis_url is None
    assert (REPO_ROOT / "packages" / "identity").is_dir()  # REPO_ROOT really is the repository


def test_reads_every_variable(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "AI_PORT": "5005",
            "ROUTER_SIGNING_SECRET": "s3cret",
            "AI_DATA_DIR": str(tmp_path),
            "REDIS_URL": "redis://localhost:6379/2",
            "LLM_PROVIDER": "Anthropic",
            "ANTHROPIC_API_KEY": "k",
            "ANTHROPIC_MODEL": "claude-x",
            "OPENAI_BASE_URL": "http://localhost:8000/v1",
            "EMBED_MAX_BATCH": "8",
            "EMBED_MAX_WAIT_MS": "2.5",
            "AI_GENERATION_DEADLINE_SECONDS": "4.5",
        }
    )
    assert settings.port == 5005
    assert settings.signing_secret == "s3cret"
    assert settings.data_dir == tmp_path
    assert settings.redis_url == "redis://localhost:6379/2"
    assert settings.llm_provider is LlmProviderName.ANTHROPIC
    assert settings.anthropic_model == "claude-x"
    assert settings.openai_base_url == "http://localhost:8000/v1"
    assert (settings.embed_max_batch, settings.embed_max_wait_ms) == (8, 2.5)
    assert settings.generation_deadline_seconds == 4.5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AI_PORT": "http"}, "AI_PORT must be a int"),
        ({"AI_PORT": "0"}, "AI_PORT must be at least 1"),
        ({"LLM_PROVIDER": "gemini"}, "LLM_PROVIDER must be one of local, openai, anthropic"),
        ({"EMBED_MAX_BATCH": "0"}, "EMBED_MAX_BATCH must be at least 1"),
        ({"AI_GENERATION_DEADLINE_SECONDS": "0"}, "AI_GENERATION_DEADLINE_SECONDS must be at least 0.1"),
    ],
)
def test_rejects_bad_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_the_app_refuses_to_start_without_a_signing_secret() -> None:
    from supergraph_ai.app import create_app

    with pytest.raises(ConfigError, match="ROUTER_SIGNING_SECRET"):
        create_app(Settings())


def test_production_requires_what_only_works_on_a_developer_machine() -> None:
    deployed = {
        "ROUTER_SIGNING_SECRET": "s",
        "AI_METRICS_TOKEN": "t",
        "AI_PROJECTS_URL": "http://projects:4002/graphql",
    }
    assert Settings.from_env({"NODE_ENV": "production", **deployed}).metrics_token == "t"
    for name in deployed:
        without = {key: value for key, value in deployed.items() if key != name}
        with pytest.raises(ConfigError, match=f"{name} must be set in production"):
            Settings.from_env({"NODE_ENV": "production", **without})
    assert Settings.from_env({}).metrics_token is None  # outside production each stays optional
