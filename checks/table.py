"""Check "before/after table" (exercise 3.4): the student's ``summary_table`` on unseen prompts and
summaries drawn for this run, with a made-up reward function the check passes in (a hash of each text), so
every expected reward is known without a reward model. There is no reference table: the judge checks the
table's properties. One row per prompt, none dropped or repeated; the dialogue alone, without the
instruction around it; each summary in its column and on its prompt's row; rewards that are the given
function's scores of those summaries; lengths in words; reward_gain = after - before; rows sorted by
reward_gain, largest first (ties in any order)."""
from __future__ import annotations

import hashlib
import math
import re
import signal

from checks.registry import Check, register

COLUMNS = ("dialogue", "summary_before", "summary_after", "reward_before", "reward_after", "words_before",
           "words_after", "reward_gain")
PROMPTS = (5, 9)         # prompts per run, inclusive
UNCHANGED = (2, 3)       # rows whose summary is the same before and after PPO: ties at a reward_gain of 0
REWARD_HALF, REWARD_SCALE = 320, 64  # the scorer's values: k / 64 for k in -320..320, exact in float32
TOLERANCE = 1e-3         # a reward in the table vs the scorer's value (float32, or rounded to 3 decimals)
ROUNDED = 6e-3           # within this of every reward, and not within TOLERANCE: rounded to 2 decimals
CALL_SECONDS = 60
MAX_ROWS, MAX_COLUMNS, MAX_TEXT, MAX_SCORED = 100, 100, 2000, 200


# ---------------------------------------------------------------------------------------------------------
# the reward function the check passes to summary_table


def made_up_reward(seed: int, text: str) -> float:
    """A deterministic reward of ``text`` in [-5, 5]: it depends on every character and on the run's seed."""
    digest = hashlib.sha256(f"{seed}\n{text}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") % (2 * REWARD_HALF + 1) - REWARD_HALF) / REWARD_SCALE


class MadeUpReward:
    """The reward_fn given to summary_table: like the lab's, one reward per text as a float tensor; it
    remembers the texts it scored."""

    def __init__(self, seed: int):
        self.seed, self.calls, self.texts = seed, 0, []

    def __call__(self, texts):
        import torch

        if isinstance(texts, (str, bytes)):
            raise TypeError("reward_fn takes a list of texts, got a single string")
        texts = list(texts)
        odd = [text for text in texts if not isinstance(text, str)]
        if odd:
            raise TypeError(f"reward_fn takes a list of texts, got a {type(odd[0]).__name__} among them")
        self.calls += 1
        self.texts += [str(text) for text in texts]
        return torch.tensor([made_up_reward(self.seed, str(text)) for text in texts], dtype=torch.float32)

    def __repr__(self) -> str:
        return "<reward_fn of the table check: one made-up reward per text>"


# ---------------------------------------------------------------------------------------------------------
# draw


def word_counts(text: str) -> set[int]:
    """Lengths in words accepted: words separated by whitespace, or runs of word characters."""
    return {len(text.split()), len(re.findall(r"\w+", text))}


def shortened(summary: str, rng) -> str:
    """A reference summary, whole, cut to its first sentence, or cut to its first few words."""
    words = summary.split()
    choice = rng.random()
    if choice < 0.4 or len(words) < 4:
        return " ".join(words)
    if choice < 0.7 and ". " in summary:
        return summary.split(". ")[0].strip() + "."
    return " ".join(words[:rng.randint(3, len(words) - 1)])


def ordered(gains: list[float], descending: bool) -> bool:
    pairs = list(zip(gains, gains[1:]))
    return all(a >= b for a, b in pairs) if descending else all(a <= b for a, b in pairs)


def draw(resources, rng) -> dict:
    from detoxlab import data

    rows = resources.unseen_rows()
    first_of = {}
    for index, row in enumerate(rows):  # DialogSum's test split repeats each dialogue with other summaries
        first_of.setdefault(row["dialogue"].strip(), index)
    count = min(rng.randint(*PROMPTS), len(first_of) // 3)
    if count < 3:
        raise ValueError(f"only {len(first_of)} unseen dialogues: too few to draw a table")
    chosen = rng.sample(sorted(first_of.values()), count)
    dialogues = [rows[i]["dialogue"] for i in chosen]
    template = resources.profile.data["prompt_template"]
    prompts = [data.build_prompt(dialogue, template) for dialogue in dialogues]

    taken = {dialogue.strip() for dialogue in dialogues}
    pool = [row["summary"] for row in rows if row["dialogue"].strip() not in taken and row["summary"].strip()]
    rng.shuffle(pool)
    summaries: list[str] = []
    for summary in pool:
        text = shortened(summary, rng)
        if text and text not in summaries:
            summaries.append(text)
        if len(summaries) == 2 * count:
            break
    if len(summaries) < 2 * count:
        raise ValueError(f"too few distinct summaries ({len(summaries)}) to draw a table of {count} prompts")
    before, after = summaries[:count], summaries[count:]
    for j in rng.sample(range(count), min(rng.randint(*UNCHANGED), count - 2)):
        after[j] = before[j]

    changed = [j for j in range(count) if before[j] != after[j]]
    for _ in range(1000):  # a seed whose gains go both ways, differ from row to row, and are not given sorted
        seed = rng.randrange(2**31)
        gains = [made_up_reward(seed, after[j]) - made_up_reward(seed, before[j]) for j in range(count)]
        moved = [gains[j] for j in changed]
        if (min(moved) < 0 < max(moved) and len(set(moved)) == len(moved)
                and not ordered(gains, True) and not ordered(gains, False)):
            break
    return {"prompts": prompts, "dialogues": dialogues, "before": before, "after": after, "seed": seed}


# ---------------------------------------------------------------------------------------------------------
# gather: the student's table as plain JSON, never judged here


def type_name(value) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def cell(value):
    """One value of the table as JSON: text, a number, None for a missing value (NaN, None, NA), or a repr."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy scalars, 0-d arrays and tensors
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (bool, int, float)):
        return value
    try:
        import pandas as pd

        if pd.isna(value) is True:
            return None
    except (TypeError, ValueError):
        pass
    return {"repr": repr(value)[:200], "type": type_name(value)}


def describe(table) -> dict:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        return {"type": type_name(table)}
    names = [str(name) for name in table.columns]
    values = {}
    for name in COLUMNS:
        if name in names:
            column = table.iloc[:MAX_ROWS, names.index(name)]
            values[name] = [cell(value) for value in column.tolist()]
    return {"type": "DataFrame", "columns": names[:MAX_COLUMNS], "row_count": len(table), "values": values}


def gather(namespace: dict, request: dict, resources) -> dict:
    reward_fn = MadeUpReward(request["seed"])

    def too_slow(*_):
        raise TimeoutError(f"summary_table took more than {CALL_SECONDS} s for {len(request['prompts'])} prompts")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(CALL_SECONDS)
    try:
        table = namespace["summary_table"](list(request["prompts"]), list(request["before"]),
                                           list(request["after"]), reward_fn)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return {"table": describe(table), "calls": reward_fn.calls, "scored_count": len(reward_fn.texts),
            "scored": [text[:MAX_TEXT] for text in reward_fn.texts[:MAX_SCORED]]}


# ---------------------------------------------------------------------------------------------------------
# judge: properties of the table, no reference table


class Wrong(Exception):
    """What is wrong with the table, in the words the student sees."""


def shown(value) -> str:
    if isinstance(value, dict) and "repr" in value:
        return str(value["repr"])[:80]
    if value is None:
        return "empty (NaN or None)"
    return repr(value)[:80]


def as_number(value, column: str, row: int) -> float:
    if value is None:
        raise Wrong(f"{column} on row {row} is empty (NaN or None): every row needs a value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Wrong(f"{column} on row {row} is {shown(value)}, not a number")
    return float(value)


def as_text(value, column: str, row: int) -> str:
    if not isinstance(value, str):
        raise Wrong(f"{column} on row {row} is {shown(value)}, not text")
    return value.strip()


def table_of(evidence: dict, request: dict) -> dict:
    table = evidence.get("table")
    if not isinstance(table, dict) or "type" not in table:
        raise Wrong("no table in the evidence: summary_table's result could not be read")
    kind = str(table["type"])
    if kind != "DataFrame":
        if kind.endswith("Styler"):
            raise Wrong("summary_table returned a Styler: return the DataFrame itself, and style it only to "
                        "display it")
        raise Wrong(f"summary_table returned {'None' if kind == 'NoneType' else 'a ' + kind}: return the table as a "
                    f"pandas DataFrame, one row per prompt")
    missing = [name for name in COLUMNS if name not in table.get("values", {})]
    if missing:
        columns = ", ".join(map(str, table.get("columns", []))) or "none"
        raise Wrong(f"the table has no column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} (its "
                    f"columns: {columns[:200]}): the exercise names the table's columns {', '.join(COLUMNS)}")
    rows, count = table["row_count"], len(request["prompts"])
    if rows == 0:
        raise Wrong(f"the table is empty for {count} prompts: one row per prompt")
    if rows < count:
        raise Wrong(f"the table is cut to {rows} of {count} prompts: keep every prompt, regressions included")
    if rows > count:
        raise Wrong(f"the table has {rows} rows for {count} prompts: one row per prompt, none repeated")
    return table["values"]


def prompt_of_rows(values: dict, request: dict, template: str) -> list[int]:
    """The prompt each row shows, found from its dialogue; Wrong if a row's dialogue is not one of them."""
    dialogues = [dialogue.strip() for dialogue in request["dialogues"]]
    texts = [as_text(value, "dialogue", row) for row, value in enumerate(values["dialogue"])]
    pieces = [piece.strip() for piece in template.split("{dialogue}") if piece.strip()]
    longer = [row for row, text in enumerate(texts)
              if text not in dialogues and any(dialogue in text for dialogue in dialogues)]
    wrapped = [row for row in longer if any(piece in texts[row] for piece in pieces)]
    if wrapped:
        instruction = " ... ".join(map(repr, pieces))
        raise Wrong(f"the dialogue on {len(wrapped)} of {len(texts)} rows is still wrapped in the prompt's "
                    f"instruction ({instruction}): show the dialogue alone")
    if longer:
        row = longer[0]
        raise Wrong(f"the dialogue on {len(longer)} of {len(texts)} rows holds more than the dialogue (row {row} "
                    f"ends {texts[row][-60:]!r}): show the dialogue alone")
    unknown = [row for row, text in enumerate(texts) if text not in dialogues]
    if unknown:
        row = unknown[0]
        raise Wrong(f"the dialogue on {len(unknown)} of {len(texts)} rows is none of the prompts' dialogues (row "
                    f"{row}: {texts[row][:60]!r}): take each dialogue whole from its prompt, without the instruction")
    indices = [dialogues.index(text) for text in texts]
    repeated = sorted({j for j in indices if indices.count(j) > 1})
    if repeated:
        absent = len(dialogues) - len(set(indices))
        raise Wrong(f"{len(repeated)} prompt(s) have more than one row and {absent} have none: one row per prompt, "
                    f"matched by its dialogue")
    return indices


def check_summaries(values: dict, request: dict, indices: list[int]) -> None:
    before = [text.strip() for text in request["before"]]
    after = [text.strip() for text in request["after"]]
    shown_before = [as_text(v, "summary_before", row) for row, v in enumerate(values["summary_before"])]
    shown_after = [as_text(v, "summary_after", row) for row, v in enumerate(values["summary_after"])]
    wrong = [row for row, j in enumerate(indices) if (shown_before[row], shown_after[row]) != (before[j], after[j])]
    if not wrong:
        return
    swapped = [row for row in wrong
               if (shown_before[row], shown_after[row]) == (after[indices[row]], before[indices[row]])]
    if len(swapped) == len(wrong):
        raise Wrong(f"summary_before and summary_after are swapped on {len(swapped)} of {len(indices)} rows: "
                    f"summary_before is the summary before PPO, summary_after the one after")
    row = wrong[0]
    raise Wrong(f"on {len(wrong)} of {len(indices)} rows the summaries are not those of the row's prompt (row {row}: "
                f"{shown_before[row][:40]!r} / {shown_after[row][:40]!r}): keep each prompt's dialogue, summary "
                f"before and summary after on one row")


def check_rewards(values: dict, evidence: dict, request: dict, indices: list[int]) -> None:
    seed = request["seed"]
    want_before = [made_up_reward(seed, request["before"][j].strip()) for j in indices]
    want_after = [made_up_reward(seed, request["after"][j].strip()) for j in indices]
    got_before = [as_number(v, "reward_before", row) for row, v in enumerate(values["reward_before"])]
    got_after = [as_number(v, "reward_after", row) for row, v in enumerate(values["reward_after"])]
    rows = range(len(indices))

    def near(a, b, tolerance=TOLERANCE):
        return abs(a - b) <= tolerance

    ok_before = [near(got_before[r], want_before[r]) for r in rows]
    ok_after = [near(got_after[r], want_after[r]) for r in rows]
    if all(ok_before) and all(ok_after):
        return
    if not evidence.get("calls"):
        raise Wrong("summary_table never called the reward_fn it was given: score the summaries with that argument "
                    "(the check passes a reward function of its own, so rewards from any other model do not match)")
    changed = [r for r in rows if request["before"][indices[r]].strip() != request["after"][indices[r]].strip()]
    same = [r for r in rows if near(got_before[r], got_after[r])]
    copied = [r for r in changed if r in same]
    if copied and (all(ok_before) or all(ok_after)):
        which = "after equal rewards before" if all(ok_before) else "before equal rewards after"
        phase = "after" if all(ok_before) else "before"
        raise Wrong(f"rewards {which} on {len(same)} of {len(indices)} rows, although the summaries differ on "
                    f"{len(copied)} of them: score the summaries {phase} PPO too")
    if changed and all(near(got_before[r], want_after[r]) and near(got_after[r], want_before[r]) for r in changed):
        raise Wrong("reward_before and reward_after are swapped: reward_before is the reward of the summary before PPO")
    summaries = {text.strip() for text in request["before"] + request["after"]}
    dialogues = [dialogue.strip() for dialogue in request["dialogues"]]
    others = [text for text in evidence.get("scored", []) if text.strip() not in summaries]
    with_dialogue = [text for text in others if any(dialogue in text for dialogue in dialogues)]
    if with_dialogue:
        raise Wrong(f"reward_fn was given {len(with_dialogue)} text(s) with a dialogue or prompt in them: the table's "
                    f"rewards are those of the summaries alone, each scored without its prompt")
    if all(near(got_before[r], want_before[r], ROUNDED) and near(got_after[r], want_after[r], ROUNDED) for r in rows):
        raise Wrong("the rewards are rounded (off by up to 0.005 from reward_fn's values): keep reward_fn's values as "
                    "they are, and round only for display")
    for column, got, want, ok, phase in (("reward_before", got_before, want_before, ok_before, "before"),
                                         ("reward_after", got_after, want_after, ok_after, "after")):
        off = [r for r in rows if not ok[r]]
        if off:
            r = off[0]
            raise Wrong(f"{column} on {len(off)} of {len(indices)} rows is not reward_fn's reward of that row's "
                        f"summary {phase} PPO (row {r}: {got[r]:+.4f}, reward_fn gives {want[r]:+.4f}): score each "
                        f"summary itself with the reward_fn given")


def check_lengths(values: dict, request: dict, indices: list[int]) -> None:
    for column, key in (("words_before", "before"), ("words_after", "after")):
        texts = [request[key][j].strip() for j in indices]
        got = [as_number(v, column, row) for row, v in enumerate(values[column])]
        off = [r for r in range(len(texts)) if got[r] not in word_counts(texts[r])]
        if not off:
            continue
        r = off[0]
        words = len(texts[r].split())
        if all(got[i] in (len(texts[i]), len(request[key][indices[i]])) for i in off):
            raise Wrong(f"lengths look like characters, not words ({column} on row {r} is {got[r]:g} for a summary "
                        f"of {words} words)")
        raise Wrong(f"{column} on {len(off)} of {len(texts)} rows is not the summary's length in words (row {r}: "
                    f"{got[r]:g} for a summary of {words} words): count words, not tokens or characters")


def check_gain_and_order(values: dict, request: dict, indices: list[int]) -> list[float]:
    seed = request["seed"]
    gains = [made_up_reward(seed, request["after"][j].strip()) - made_up_reward(seed, request["before"][j].strip())
             for j in indices]
    got = [as_number(v, "reward_gain", row) for row, v in enumerate(values["reward_gain"])]
    off = [r for r in range(len(gains)) if abs(got[r] - gains[r]) > 2 * TOLERANCE]
    if off:
        if all(abs(got[r] + gains[r]) <= 2 * TOLERANCE for r in off):
            raise Wrong("reward_gain is reward_before - reward_after: the gain is the reward after PPO minus the "
                        "reward before (positive when PPO raised it)")
        r = off[0]
        raise Wrong(f"reward_gain on {len(off)} of {len(gains)} rows is not reward_after - reward_before (row {r}: "
                    f"{got[r]:+.4f}, expected {gains[r]:+.4f})")
    if not ordered(gains, True):
        if ordered(gains, False):
            raise Wrong("the rows are sorted smallest reward_gain first: sort largest first, so the biggest gains "
                        "open the table and the regressions close it")
        r = next(r for r in range(len(gains) - 1) if gains[r] < gains[r + 1])
        raise Wrong(f"the rows are not sorted by reward_gain (row {r}: {gains[r]:+.4f}, row {r + 1}: "
                    f"{gains[r + 1]:+.4f}): sort by reward_gain, largest first")
    return gains


def judge(evidence: dict, request: dict, resources):
    try:
        values = table_of(evidence, request)
        indices = prompt_of_rows(values, request, resources.profile.data["prompt_template"])
        check_summaries(values, request, indices)
        check_rewards(values, evidence, request, indices)
        check_lengths(values, request, indices)
        gains = check_gain_and_order(values, request, indices)
    except Wrong as wrong:
        return False, str(wrong)
    up, down = sum(g > 0 for g in gains), sum(g < 0 for g in gains)
    return True, (f"{len(gains)} prompts drawn for this run, one row each: the dialogue alone, both summaries, "
                  f"reward_fn's rewards, lengths in words, sorted by reward_gain ({up} up, {down} down, "
                  f"{len(gains) - up - down} unchanged)")


CHECK = register(Check(key="table", title="before/after table", order=90, section="3.4", needs=("summary_table",),
                       draw=draw, gather=gather, judge=judge))
