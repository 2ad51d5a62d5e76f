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
        raise ValueError(f"the dataset has no {' or '.join(missing)} split: the lab's dataset is split into a train "
                         "and a test part")
    summary = {"all_queries": digest(sorted([*dataset["train"]["query"], *dataset["test"]["query"]]))}
    for split in ("train", "test"):
        rows = dataset[split]
        columns = set(getattr(rows, "column_names", []) or [])
        lacking = {"query", "input_ids"} - columns
        if lacking:
            raise ValueError(f"the {split} split has no {' or '.join(sorted(lacking))} column: trl's PPOTrainer "
                             "reads 'query' (the prompt) and 'input_ids' (its tokens)")
        summary[split] = {"rows": len(rows), "queries": digest(list(rows["query"])),
                          "first_query": str(rows["query"][0])[:2000] if len(rows) else "",
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


def lab_request(profile) -> dict:
    """The notebook's own dataset, as a request: DialogSum's train split in the profile's length window."""
    return {"split": "train", "min_chars": profile.data["min_dialogue_chars"], "max_chars": profile.data["max_dialogue_chars"]}


def reference(resources, request: dict) -> dict:
    from answer_key.data import prompt_dataset

    settings = resources.profile.data
    return describe(prompt_dataset(resources.dialogsum[request["split"]], resources.tokenizer, request["min_chars"],
                                   request["max_chars"], settings["prompt_template"], settings["test_size"],
                                   settings["split_seed"]))


def expected(request: dict, resources) -> dict:
    """The reference's rows for the drawn window and for the notebook's own dataset (the same for every student)."""
    lab = resources.cached("lab_dataset", lambda: reference(resources, lab_request(resources.profile)))
    return {"unseen": reference(resources, {key: request[key] for key in ("split", "min_chars", "max_chars")}),
            "lab": lab}


def looks_decoded(query: str, template: str) -> bool:
    """A query turned back from its tokens: T5's tokenizer keeps no line breaks and decoding adds ``</s>``."""
    return query.rstrip().endswith("</s>") or ("\n" in template and "\n" not in query)


def compare(got: dict, want: dict, where: str, data: dict) -> str:
    """What differs between two described datasets, as advice; "" when they are the same. ``data``: the
    profile's [data] table (its prompt template)."""
    sizes, wanted = (got["train"]["rows"], got["test"]["rows"]), (want["train"]["rows"], want["test"]["rows"])
    if sum(sizes) != sum(wanted):
        return (f"{where}: {sum(sizes)} rows kept, expected {sum(wanted)}: look again at the length filter "
                "(which dialogues does the course keep at exactly the lower and the upper bound?)")
    if sizes != wanted:
        return (f"{where}: train {sizes[0]} / test {sizes[1]}, expected {wanted[0]} / {wanted[1]}: the test split "
                "should hold the share of rows the course holds out")
    if got["all_queries"] == want["all_queries"] and any(got[s]["queries"] != want[s]["queries"] for s in ("train", "test")):
        return (f"{where}: the right rows, but not the lab's split: the split must be the same on every run and "
                "keep the rows in their order, so that before and after see the same test prompts")
    for split in ("train", "test"):
        if got[split]["queries"] != want[split]["queries"]:
            if looks_decoded(got[split].get("first_query", ""), data["prompt_template"]):
                return (f"{where}: the {split} queries look decoded from their tokens (line breaks gone, or "
                        "'</s>' at the end): T5's tokenizer does not keep the prompt's line breaks, so keep the "
                        "prompt text itself as the query")
            return (f"{where}: the {split} prompts differ from the lab's: each query is the dialogue inside the "
                    "lab's prompt template, rows in their original order")
        if got[split]["input_ids"] != want[split]["input_ids"]:
            return f"{where}: the {split} input_ids are not the tokenizer's encoding of each query"
        if not got[split]["torch"]:
            return f"{where}: the rows are not in torch format: trl's PPOTrainer expects tensors, not lists"
    return ""


def judge(evidence: dict, request: dict, resources, expected: dict):
    profile = resources.profile
    problems = []
    window = f"the {request['split']} split with {request['min_chars']} < length <= {request['max_chars']}"
    problems.append(compare(evidence["unseen"], expected["unseen"], f"build_dataset on {window}", profile.data))
    if "notebook" not in evidence:
        problems.append(f"the notebook's `dataset`: {evidence.get('notebook_error', 'missing')}")
    else:
        from detoxlab.data import resolve_source

        key = "embedded" if resolve_source(profile.data).kind == "embedded" else "dialogsum"
        train, test = profile.expected["dataset_sizes"][key]
        problems.append(compare(evidence["notebook"], expected["lab"],
                                f"the notebook's `dataset` (expected {train} / {test})", profile.data))
    problems = [p for p in problems if p]
    if problems:
        return False, "; ".join(problems)
    nb = evidence["notebook"]
    return True, (f"train {nb['train']['rows']} / test {nb['test']['rows']}, and build_dataset gives the lab's rows on "
                  f"{window} too")


CHECK = register(Check(key="dataset", title="dataset sizes", order=10, section="2.1", needs=("build_dataset",),
                       draw=draw, gather=gather, judge=judge, expected=expected))
