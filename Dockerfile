# syntax=docker/dockerfile:1
# Detox lab image (first version; the container work adds the exact trl commit, baked full-profile
# assets and the grading entrypoints). CPU torch comes from PyTorch's CPU wheel index.
FROM python:3.11-slim AS runtime

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_EXTRA_INDEX_URL=${TORCH_INDEX} \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /opt/detoxlab
COPY requirements.lock ./
RUN python -m pip install --require-hashes -r requirements.lock
COPY . .
RUN python -m pip install --no-deps --no-build-isolation -e . \
    && useradd --create-home --uid 1000 student \
    && chown -R student /opt/detoxlab/lab

USER student
EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "lab/"]
