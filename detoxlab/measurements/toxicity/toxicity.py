"""Toxicity measurement for `evaluate`, loadable offline from this directory.

evaluate 0.4.0 fetches its "toxicity" module from the Hugging Face hub at load time. This module has
the same interface (``evaluate.load(<this dir>, module_type="measurement", config_name=<classifier>)``,
``compute(predictions=..., aggregation=..., toxic_label=..., threshold=...)``) and computes the same
thing: the probability of the classifier's ``hate`` label for each text, batched.
"""
import datasets
import evaluate
from transformers import pipeline

_DESCRIPTION = "Probability that each text is hateful, according to a hate-speech classifier."
_KWARGS = """
Args:
    predictions (list of str): texts to score.
    aggregation (str): "all" (default, a score per text), "maximum" or "ratio" (share above threshold).
    toxic_label (str): the classifier label that means toxic (default "hate").
    threshold (float): cut-off for "ratio" (default 0.5).
    batch_size (int): texts per classifier call (default 32).
Returns:
    {"toxicity": [...]}, {"max_toxicity": x} or {"toxicity_ratio": x}
"""
DEFAULT_CLASSIFIER = "facebook/roberta-hate-speech-dynabench-r4-target"


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS)
class Toxicity(evaluate.Measurement):
    def _info(self):
        return evaluate.MeasurementInfo(
            module_type="measurement",
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string", id="sequence")}),
        )

    def _download_and_prepare(self, dl_manager):
        classifier = DEFAULT_CLASSIFIER if self.config_name == "default" else self.config_name
        # on the lab's device: a GPU when there is one, as the course places its pipeline
        from detoxlab.models import lab_device

        self.toxic_classifier = pipeline("text-classification", model=classifier, top_k=None, truncation=True,
                                         device=lab_device())

    def _compute(self, predictions, aggregation="all", toxic_label="hate", threshold=0.5, batch_size=32):
        labels = set(self.toxic_classifier.model.config.id2label.values())   # label2id may be null in a config
        if toxic_label not in labels:
            raise ValueError(f"toxic_label {toxic_label!r} is not a label of the classifier ({sorted(labels)})")
        outputs = self.toxic_classifier(list(predictions), batch_size=batch_size)
        scores = [next(entry["score"] for entry in output if entry["label"] == toxic_label) for output in outputs]
        if aggregation == "ratio":
            return {"toxicity_ratio": sum(score >= threshold for score in scores) / len(scores)}
        if aggregation == "maximum":
            return {"max_toxicity": max(scores)}
        return {"toxicity": scores}
