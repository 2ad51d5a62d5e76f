"""Check "dataset sizes" (exercise 2.1): the student's ``build_dataset`` on a DialogSum split and length
window it has not seen, against the reference recipe; and the notebook's own dataset, against the
course's sizes (8,017 / 2,005 for DialogSum)."""
from __future__ import annotations

from checks.common import digest
from checks.registry import Check, register


def describe(dataset) -> dict:
    """Sizes and digests of a train/test DatasetDict built for PPO (``query`` and ``input_ids``)."""
    missing = [split for split in ("train", "test") if split not in dataset]
    if missing:
        raise ValueError(f"the dataset has no {' or '.join(missing)} split: did you call train_test_split?")
    summary = {"all_queries": digest(sorted([*dataset["train"]["query"], *dataset["test"]["query"]]))}
    for split in ("train", "test"):
        rows = dataset[split]
        columns = set(getattr(rows, "column_names", []) or [])
        lacking = {"query", "input_ids"} - columns
        if lacking:
            raise ValueError(f"the {split} split has no {' or '.join(sorted(lacking))} column: trl's PPOTrainer "
                             "reads 'query' (the prompt) and 'input_ids' (its tokens)")
        summary[split] = {"rows": len(rows), "queries": digest(list(rows["query"])),
                          "input_ids": digest([[int(t) for t in ids] for ids in rows["input_ids"]]),
                          "torch": getattr(rows, "format", {}).get("type") == "torch"}
    return summary


def draw(resources, rng) -> dict:
    return {"split": "validation", "min_chars": rng.randrange(120, 300, 10), "max_chars": rng.randrange(600, 1400, 50)}


def gather(namespace: dict, request: dict, resources) -> dict:
    evidence = {}
    try:
        evidence["notebook"] = describe(namespace["dataset"])
    except Exception as error:  # reported per part: the other part may still be graded
        evidence["notebook_error"] = f"{type(error).__name__}: {error}"[:400]
    built = namespace["build_dataset"](resources.dialogsum[request["split"]], resources.tokenizer,
                                       request["min_chars"], request["max_chars"])
    evidence["unseen"] = describe(built)
    return evidence


def reference(resources, request: dict) -> dict:
    from detoxlab.data import prompt_dataset

    settings = resources.profile.data
    return describe(prompt_dataset(resources.dialogsum[request["split"]], resources.tokenizer, request["min_chars"],
                                   request["max_chars"], settings["prompt_template"], settings["test_size"],
                                   settings["split_seed"]))


def split_settings(data: dict) -> str:
    """The profile's split, as the advice names it (``data``: the profile's [data] table)."""
    return f"test_size={data['test_size']}, shuffle=False, seed={data['split_seed']}"


def compare(got: dict, want: dict, where: str, data: dict) -> str:
    """What differs between two described datasets, as advice; "" when they are the same. ``data``: the
    profile's [data] table, whose split settings the advice names."""
    sizes, wanted = (got["train"]["rows"], got["test"]["rows"]), (want["train"]["rows"], want["test"]["rows"])
    if sum(sizes) != sum(wanted):
        return (f"{where}: {sum(sizes)} rows kept, expected {sum(wanted)}: check the length filter "
                "(keep input_min_text_length < len(dialogue) <= input_max_text_length)")
    if sizes != wanted:
        return (f"{where}: train {sizes[0]} / test {sizes[1]}, expected {wanted[0]} / {wanted[1]}: "
                f"check train_test_split ({split_settings(data)})")
    if got["all_queries"] == want["all_queries"] and any(got[s]["queries"] != want[s]["queries"] for s in ("train", "test")):
        return (f"{where}: the right rows, but not the lab's split: check train_test_split "
                f"({split_settings(data)})")
    for split in ("train", "test"):
        if got[split]["queries"] != want[split]["queries"]:
            return (f"{where}: the {split} prompts differ from the lab's: wrap each dialogue in prompt_template, "
                    "keep the rows in their order (no shuffling)")
        if got[split]["input_ids"] != want[split]["input_ids"]:
            return f"{where}: the {split} input_ids are not the tokenizer's encoding of each query"
        if not got[split]["torch"]:
            return f"{where}: call set_format(type='torch') so that trl receives tensors"
    return ""


def judge(evidence: dict, request: dict, resources):
    profile = resources.profile
    problems = []
    window = f"the {request['split']} split with {request['min_chars']} < length <= {request['max_chars']}"
    problems.append(compare(evidence["unseen"], reference(resources, request), f"build_dataset on {window}",
                            profile.data))
    if "notebook" not in evidence:
        problems.append(f"the notebook's `dataset`: {evidence.get('notebook_error', 'missing')}")
    else:
        from detoxlab.data import resolve_source

        key = "embedded" if resolve_source(profile.data).kind == "embedded" else "dialogsum"
        train, test = profile.expected["dataset_sizes"][key]
        lab = resources.cached("lab_dataset", lambda: reference(resources, {
            "split": "train", "min_chars": profile.data["min_dialogue_chars"], "max_chars": profile.data["max_dialogue_chars"]}))
        problems.append(compare(evidence["notebook"], lab, f"the notebook's `dataset` (expected {train} / {test})",
                                profile.data))
    problems = [p for p in problems if p]
    if problems:
        return False, "; ".join(problems)
    nb = evidence["notebook"]
    return True, (f"train {nb['train']['rows']} / test {nb['test']['rows']}, and build_dataset gives the lab's rows on "
                  f"{window} too")


CHECK = register(Check(key="dataset", title="dataset sizes", order=10, section="2.1", needs=("build_dataset",),
                       draw=draw, gather=gather, judge=judge))
