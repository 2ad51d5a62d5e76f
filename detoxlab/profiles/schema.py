"""A profile's sections as types: one frozen dataclass per TOML table, each field with its help text,
checked when it is made (trl's ``PPOConfig`` habit).

A section reads as attributes (``profile.ppo.batch_size``) and, as the notebook and the course's code
read settings, by key (``profile.ppo["batch_size"]``): every section is also a read-only mapping of
its fields. A problem raises ``ProfileError`` with the dotted key; ``load_profile`` adds the file.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field

from detoxlab.errors import DetoxlabError

POLICY_DTYPES = ("bfloat16", "float32")  # torch dtype names a policy may be loaded in (policy.dtype)
REFERENCES = ("sft", "base")
# what the reward model reads: the summary; prompt + summary without special tokens (the study's ablation);
# the original's prompt + summary with <pad> and </s> left in
REWARD_INPUTS = ("summary", "prompt+summary", "prompt+summary-raw")
# Which of the reward model's scores is the reward: the ``nothate`` label's logit, or (the original lab) the first
# entry of the pipeline's output, which transformers sorts by score when ``top_k`` is given: the winning label's.
REWARD_PICKS = ("label", "first")
EVALUATION_INPUTS = ("summary", "prompt+summary")  # what toxicity is measured on; the original: prompt + " " + summary


class ProfileError(DetoxlabError, ValueError):
    """A profile is missing, unreadable, or has a key of the wrong kind; ``key`` names the key (dotted,
    ``ppo.batch_size``) where one is at fault, ``path`` the profile file as the message names it."""


def setting(help: str, default=dataclasses.MISSING):  # noqa: A002 - the name dataclass metadata uses
    """A section's field with its help text (shown when the key is missing)."""
    return field(default=default, metadata={"help": help})


def _type_name(hint) -> str:
    return str(hint) if typing.get_origin(hint) else hint.__name__  # "list[str]", "int | None", "float"


def _fits(value, hint) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    return isinstance(value, hint)


@dataclass(frozen=True, eq=False)
class Section(Mapping):
    """A profile's table. Subclasses name their table (``table``) and add their own checks (``check``). A
    table that stands under a name of its own ([method.NAME], [assets.hub."REPO"]) keeps that name in the
    field ``named_by`` says, which is not a key inside the table."""

    table: typing.ClassVar[str] = ""
    named_by: typing.ClassVar[str | None] = None

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not _fits(value, hints[item.name]):
                raise ProfileError(f"{self.where(item.name)} must be {_type_name(hints[item.name])}, got "
                                   f"{type(value).__name__} {value!r}", key=self.where(item.name))
            if isinstance(value, float) and not math.isfinite(value):
                raise ProfileError(f"{self.where(item.name)} must be a finite number, got {value!r}",
                                   key=self.where(item.name))
        self.check()

    def where(self, key: str) -> str:
        return f"{self.table}.{getattr(self, self.named_by)}.{key}" if self.named_by else f"{self.table}.{key}"

    def fail(self, key: str, problem: str) -> ProfileError:
        return ProfileError(f"{self.where(key)} {problem}", key=self.where(key))

    def check(self) -> None:
        """Checks across this section's fields (none by default)."""

    @classmethod
    @functools.cache  # read on every key lookup: the fields do not change
    def keys_help(cls) -> dict[str, str]:
        """The keys a table may hold, with their help texts."""
        return {item.name: item.metadata.get("help", "") for item in dataclasses.fields(cls) if item.name != cls.named_by}

    @classmethod
    def from_table(cls, table, name: str | None = None):
        """The section from its TOML table (``name``: the table's own name, for a ``named_by`` table):
        unknown keys and missing required ones are errors."""
        extra = {cls.named_by: name} if cls.named_by else {}
        where = f"{cls.table}.{name}" if cls.named_by else cls.table
        if not isinstance(table, dict):
            raise ProfileError(f"missing section [{where}]" if table is None else f"{where} must be a table",
                               key=where)
        known = cls.keys_help()
        unknown = sorted(set(table) - set(known))
        if unknown:
            keys = [f"{where}.{key}" for key in unknown]
            raise ProfileError(f"unknown key(s) {', '.join(keys)}", key=keys[0])
        required = {item.name for item in dataclasses.fields(cls)
                    if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING}
        for key in known:
            if key in required and key not in table:
                raise ProfileError(f"missing key {where}.{key}", key=f"{where}.{key}", hint=known[key])
        return cls(**table, **extra)

    # read-only mapping of the fields, so that profile.ppo["batch_size"] reads as the course's dicts do
    def __getitem__(self, key: str):
        if key in self.keys_help():
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self):
        return iter(self.keys_help())

    def __len__(self) -> int:
        return len(self.keys_help())

    def __hash__(self) -> int:  # equal sections (as mappings) hash alike
        return hash(repr(sorted(self.items())))


@dataclass(frozen=True, eq=False)
class Data(Section):
    table = "data"
    source: str = setting("'embedded' (the project's sample) or 'hub' (datasets.load_dataset)")
    hub_id: str = setting("DialogSum's id on the Hugging Face hub")
    min_dialogue_chars: int = setting("keep dialogues strictly longer than this")
    max_dialogue_chars: int = setting("keep dialogues at most this long")
    prompt_template: str = setting("the instruction wrapped around each dialogue; must contain {dialogue}")
    test_size: float = setting("share of the filtered rows held out as the lab's test split")
    split_seed: int = setting("seed of train_test_split (the split is unshuffled, as in the course)")

    def check(self) -> None:
        if "{dialogue}" not in self.prompt_template:
            raise self.fail("prompt_template", "must contain {dialogue}")
        if not 0 < self.test_size < 1:
            raise self.fail("test_size", f"must be between 0 and 1, got {self.test_size}")
        if not self.min_dialogue_chars < self.max_dialogue_chars:
            raise self.fail("min_dialogue_chars", "must be below data.max_dialogue_chars")


@dataclass(frozen=True, eq=False)
class Policy(Section):
    table = "policy"
    base_model: str = setting("hub id, 'assets:NAME' or 'package:PATH'")
    adapter: str = setting("the lab-2 LoRA checkpoint: hub id, 'assets:NAME' or 'package:PATH'")
    revision: str = setting("hub revision of base_model (empty for local directories)")
    dtype: str = setting("what the base model's weights are loaded as: 'bfloat16' (the course) or 'float32'; "
                         "the LoRA weights and the value head stay float32 either way")
    adapter_s3_uri: str | None = setting("where `detoxlab assets fetch` downloads the adapter from", None)

    def check(self) -> None:
        if self.dtype not in POLICY_DTYPES:
            raise self.fail("dtype", f"must be one of {', '.join(POLICY_DTYPES)}, got {self.dtype!r}")


@dataclass(frozen=True, eq=False)
class Lora(Section):
    table = "lora"
    r: int = setting("LoRA rank")
    alpha: int = setting("LoRA alpha")
    target_modules: list[str] = setting("modules that get adapters (T5: q, v)")
    dropout: float = setting("LoRA dropout")
    task_type: str = setting("peft TaskType name")


@dataclass(frozen=True, eq=False)
class Reward(Section):
    table = "reward"
    model: str = setting("hate-speech classifier: hub id, 'assets:NAME' or 'package:PATH'")
    revision: str = setting("hub revision of the reward model (empty for local directories)")
    toxicity_module: str = setting("evaluate measurement module ('package:PATH' or a hub name)")
    not_hate_label: str = setting("label whose raw logit is the PPO reward")
    hate_label: str = setting("label whose probability is the toxicity")


@dataclass(frozen=True, eq=False)
class Ppo(Section):
    table = "ppo"
    mini_batch_size: int = setting("PPO mini-batch size")
    batch_size: int = setting("prompts per PPO step")
    method: str = setting("the method the lab uses by default: a key of [method]")
    pad_each_mini_batch: bool = setting("run each of trl's forward passes padded to its own mini-batch's longest "
                                        "prompt and summary, not the whole batch's (ppo.pad_each_mini_batch)",
                                        default=False)
    experiment_kl_coef: float | None = setting("KL coefficient of 3.2's optional second run from where PPO started "
                                               "(none: the notebook skips it)", default=None)

    def check(self) -> None:
        if self.experiment_kl_coef is not None and not self.experiment_kl_coef >= 0:
            raise self.fail("experiment_kl_coef", f"must be 0 or more, got {self.experiment_kl_coef}")
        for key in ("batch_size", "mini_batch_size"):
            if getattr(self, key) < 1:
                raise self.fail(key, f"must be at least 1, got {getattr(self, key)}")
        if self.batch_size % self.mini_batch_size:
            raise self.fail("batch_size", "must be a multiple of ppo.mini_batch_size")


@dataclass(frozen=True, eq=False)
class Method(Section):
    """A [method.NAME] table: how PPO is run (the lab's "corrected" method, the original's "faithful" one);
    ``name`` is the table's NAME."""
    table = "method"
    named_by = "name"
    reference: str = setting("KL reference: 'sft' (the policy before PPO) or 'base' (adapter disabled, as trl 0.4 "
                             "does)")
    reward_input: str = setting("what the reward model reads: 'summary' or 'prompt+summary-raw' (the original)")
    reward_pick: str = setting("which score is the reward: 'label' (the nothate logit) or 'first' (the original: the "
                               "first of the score-sorted pipeline output, the winning label's logit)")
    evaluation_input: str = setting("what the toxicity evaluation scores: 'summary' or 'prompt+summary' (the original)")
    learning_rate: float = setting("Adam learning rate of PPO")
    ppo_epochs: int = setting("optimisation epochs per PPO batch")
    steps: int = setting("PPO steps")
    init_kl_coef: float = setting("initial KL penalty coefficient (trl's adaptive controller)")
    name: str = setting("the method's name: its table's key", "")

    def check(self) -> None:
        if self.reference not in REFERENCES:
            raise self.fail("reference", f"must be 'sft' or 'base', got {self.reference!r}")
        if self.reward_input not in REWARD_INPUTS:
            raise self.fail("reward_input", f"must be one of {', '.join(REWARD_INPUTS)}, got {self.reward_input!r}")
        if self.reward_pick not in REWARD_PICKS:
            raise self.fail("reward_pick", f"must be one of {', '.join(REWARD_PICKS)}, got {self.reward_pick!r}")
        if self.evaluation_input not in EVALUATION_INPUTS:
            raise self.fail("evaluation_input",
                            f"must be one of {', '.join(EVALUATION_INPUTS)}, got {self.evaluation_input!r}")
        for key in ("ppo_epochs", "steps"):
            if getattr(self, key) < 1:
                raise self.fail(key, f"must be at least 1, got {getattr(self, key)}")


@dataclass(frozen=True, eq=False)
class Generation(Section):
    table = "generation"
    min_length: int = setting("minimum generated length")
    top_k: int = setting("0 disables top-k filtering (pure sampling)")
    top_p: float = setting("1.0 disables nucleus filtering")
    do_sample: bool = setting("sample rather than decode greedily")
    output_min_length: int = setting("LengthSampler lower bound for max_new_tokens")
    output_max_length: int = setting("LengthSampler upper bound (exclusive) for max_new_tokens")

    def check(self) -> None:
        if not 0 < self.output_min_length < self.output_max_length:
            raise self.fail("output_min_length", "must be positive and below output_max_length")


@dataclass(frozen=True, eq=False)
class Evaluation(Section):
    table = "evaluation"
    samples: int = setting("test prompts scored for toxicity before and after")
    max_new_tokens: int = setting("summary length budget when evaluating")
    seed: int = setting("seed of evaluation sampling")


@dataclass(frozen=True, eq=False)
class Expected(Section):
    table = "expected"
    value_head_parameters: int = setting("parameters trl's value head adds")
    non_toxic_probe: str = setting("text the reward model must score as not hateful")
    toxic_probe: str = setting("text the reward model must score as hateful")
    toxicity_margin: float = setting("how far mean toxicity must fall after PPO to pass")
    toxicity_alpha: float = setting("level of the paired one-sided test that toxicity fell")
    max_kl: float = setting("most KL (nats, on its own summaries) the trained policy may be from the SFT policy")
    min_length_ratio: float = setting("least share of the SFT summaries' mean length the trained policy keeps")
    dataset_sizes: dict = setting("(train, test) sizes of the lab's split, by DialogSum source")
    trainable_parameters: int | None = setting("trainable parameters of the PEFT policy", None)
    total_parameters: int | None = setting("all parameters of the PEFT policy", None)
    improvement_draws: int = setting("sampled summaries per prompt the improvement check averages (seeds seed, "
                                     "seed + 1, ...): fewer prompts need more draws for the same power", 1)

    def check(self) -> None:
        if not (isinstance(self.improvement_draws, int) and self.improvement_draws >= 1):
            raise self.fail("improvement_draws", f"must be a whole number of at least 1, got {self.improvement_draws!r}")
        for source, sizes in self.dataset_sizes.items():
            if not (isinstance(sizes, list) and len(sizes) == 2 and all(isinstance(n, int) for n in sizes)):
                raise self.fail(f"dataset_sizes.{source}", "must be [train, test] integers")


@dataclass(frozen=True, eq=False)
class HubFiles(Section):
    """[assets.hub."REPO"]: the files `detoxlab assets fetch` takes from a hub repository."""
    table = "assets.hub"
    named_by = "repo"
    files: list[str] = setting("files to download")
    required: list[str] = field(default_factory=list, metadata={"help": "files without which the model cannot load"})
    repo: str = setting("the repository's id: its table's key", "")


@dataclass(frozen=True, eq=False)
class Assets(Section):
    """[assets]: what `detoxlab assets fetch` takes and checks (read by detoxlab.fetch); empty where a
    profile needs nothing fetched."""
    table = "assets"
    hub: dict = field(default_factory=dict, metadata={"help": "hub repository id -> its files (HubFiles)"})
    adapter: dict = field(default_factory=dict, metadata={"help": "required: the objects needed under "
                                                                  "policy.adapter_s3_uri"})
    data: dict = field(default_factory=dict, metadata={"help": "rows: DialogSum's row count by split"})
    known: dict = field(default_factory=dict, metadata={"help": "\"asset/file\" or \"hub id/file\" -> "
                                                                "{ bytes = ..., sha256 = \"...\" }"})

    def __post_init__(self):
        super().__post_init__()
        # each repository's table as its type (a frozen dataclass may set its own fields only this way)
        object.__setattr__(self, "hub", {repo: HubFiles.from_table(table, repo)
                                         for repo, table in self.hub.items()})

    def check(self) -> None:
        required = self.adapter.get("required", [])
        if not (isinstance(required, list) and all(isinstance(name, str) for name in required)):
            raise self.fail("adapter.required", f"must be a list of file names, got {required!r}")
        rows = self.data.get("rows", {})
        if not (isinstance(rows, dict) and all(isinstance(n, int) and not isinstance(n, bool) for n in rows.values())):
            raise self.fail("data.rows", "must map split names to row counts")
        for name, facts in self.known.items():
            if not isinstance(facts, dict) or set(facts) - {"bytes", "sha256"}:
                raise self.fail(f"known.{name}", "may only give bytes and sha256")


SECTIONS: tuple[type[Section], ...] = (Data, Policy, Lora, Reward, Ppo, Generation, Evaluation, Expected)
