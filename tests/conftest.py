"""Test set-up: nothing reaches the network, and third-party data is optional.

The offline variables are set before any Hugging Face library is imported (they are read at import).
Tests that need the real data in ../shared/data take the ``shared_data`` fixture, which skips with
the reason when ``DETOXLAB_DATA_DIR`` is not set or lacks the files, and carry the ``shared_data`` marker
(``-m "not shared_data"`` leaves them out); a test that takes the fixture without the marker is refused.
"""
import os

for variable in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[variable] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import answer_key.data  # noqa: E402
import answer_key.models  # noqa: E402
from detoxlab.data import DATA_DIR_ENV  # noqa: E402


def pytest_collection_modifyitems(config, items):
    unmarked = [item.nodeid for item in items
                if "shared_data" in getattr(item, "fixturenames", ()) and item.get_closest_marker("shared_data") is None]
    if unmarked:
        raise pytest.UsageError("these tests take the shared_data fixture without @pytest.mark.shared_data: "
                                + ", ".join(unmarked))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if not configured:
        pytest.skip(f"needs the third-party data: set {DATA_DIR_ENV} (for example to ../shared/data)")
    root = Path(configured)
    if not (root / "dialogsum" / "train.csv").is_file():
        pytest.skip(f"{DATA_DIR_ENV}={configured} has no dialogsum/train.csv")
    return root


@pytest.fixture
def no_data_dir(monkeypatch):
    """The mini profile as a fresh machine sees it: nothing configured."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)


@pytest.fixture(scope="session")
def mini():
    from detoxlab.profiles import load_profile

    return load_profile("mini")


# the mini profile's tokenizer, a fresh policy and the lab's dataset (tests of models, evaluation and ppo)
@pytest.fixture(scope="module")
def tokenizer(mini):
    from detoxlab import models

    return models.load_tokenizer(mini)


@pytest.fixture
def policy(mini):
    """A fresh PPO model (PEFT policy + value head) in eval mode: dropout off, so forwards compare."""
    from detoxlab import models

    return answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True)).eval()


@pytest.fixture(scope="module")
def reward_parts(mini):
    """(tokenizer, model) of the mini profile's reward model."""
    from detoxlab import reward

    return reward.load_reward_model(mini)


@pytest.fixture(scope="module")
def dataset(mini, tokenizer):
    from detoxlab import data

    return answer_key.data.build_dataset(tokenizer, mini.data, data.DataSource("embedded", str(data.EMBEDDED_DIR)))


@pytest.fixture(scope="module")
def resources():
    """What the checks grade with, for the mini profile as a fresh machine sees it (no shared data)."""
    from checks.resources import Resources
    from detoxlab.profiles import load_profile

    with pytest.MonkeyPatch.context() as patch:  # restored after the module: later tests may need the data
        patch.delenv(DATA_DIR_ENV, raising=False)
        yield Resources(load_profile("mini"))
