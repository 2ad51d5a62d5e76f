# syntax=docker/dockerfile:1
# The course's images, with the full profile's models, adapter and data baked in; nothing is fetched at run
# time. Two audiences, two targets, as otter-grader and nbgrader separate them:
#   lab (the default): the student's environment: the lab notebook, its checks and the infrastructure, and no
#       answer: no answer key, solution notebook, grader, staff tools or tests (detoxlab handout);
#   grader: everything, for course staff: the grader, the answer key, the tests (and `gradescope`, the grader
#       on Gradescope's base image).
# How to build and use them: docs/container.md. Each RUN step calls a script in docker/ (or scripts/) that CI
# runs too.
ARG PYTHON_IMAGE=python:3.11-slim
# Gradescope's manual Docker configuration accepts only images built on one of its own base images
ARG GRADESCOPE_BASE=gradescope/autograder-base:ubuntu-22.04

# --- build: .venv with the locked dependencies (no compilers needed: every package is a wheel) ---------
FROM ${PYTHON_IMAGE} AS build
# cpu (default); pypi: PyPI's CUDA build of the same torch, hash-locked in requirements-cuda.lock; or a CUDA
# variant of PyTorch's index, e.g. cu128 (docker/install-torch.sh)
ARG TORCH_VARIANT=cpu
ARG TRL_COMMIT=25fa1bd8803c9998d95a3c38b2bb27a85235ce7b
# Where packages and trl come from, for mirrors and builds without the internet (scripts/build-image.sh);
# unset, pip uses PyPI and scripts/setup.sh adds PyTorch's CPU index for the CPU torch build, and trl comes
# from GitHub's archive of TRL_COMMIT.
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_CERT
ARG DETOXLAB_TORCH_INDEX
ARG TRL_SOURCE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHON=python3.11 \
    TORCH_VARIANT=${TORCH_VARIANT} \
    TRL_COMMIT=${TRL_COMMIT}
WORKDIR /opt/detoxlab
COPY requirements.in requirements.lock requirements-cuda.lock ./
COPY scripts/setup.sh scripts/
COPY docker/ docker/
RUN ["bash", "docker/install-deps.sh"]
COPY . .
RUN ["bash", "docker/install-project.sh"]

# --- handout: the student's copy of the project, without what only staff may have (detoxlab handout --prune);
# only the lab target copies it, so no layer of the student's image ever held an answer -----------------------
FROM build AS handout
RUN ["bash", "docker/make-handout.sh"]

# --- assets: the full profile's models (hub cache), the lab-2 adapter (S3) and DialogSum (datasets cache) --
FROM build AS assets
# full (default), or none for an image without the full profile's assets (the mini profile still runs);
# HF_ENDPOINT and DETOXLAB_S3_ENDPOINT point the fetch at a hub mirror and an S3-compatible server
ARG DETOXLAB_FETCH_PROFILE=full
ARG HF_ENDPOINT
ARG DETOXLAB_S3_ENDPOINT
ENV DETOXLAB_ASSETS_DIR=/opt/detoxlab-assets
RUN ["bash", "docker/fetch-assets.sh"]

# --- runtime: slim, non-root, offline; what the grader and lab targets share ----------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="detoxlab" \
      org.opencontainers.image.description="Detox lab: FLAN-T5 + LoRA + PPO (trl 0.4) with the course's models baked in"
ENV PATH=/opt/detoxlab/.venv/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    DETOXLAB_ASSETS_DIR=/opt/detoxlab-assets \
    HF_HOME=/opt/detoxlab-assets/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    DETOXLAB_WORKSPACE=/home/student/work
COPY docker/create-user.sh /opt/detoxlab/docker/
RUN ["bash", "/opt/detoxlab/docker/create-user.sh"]
COPY --from=assets --chown=1000:1000 /opt/detoxlab-assets /opt/detoxlab-assets
WORKDIR /home/student/work
EXPOSE 8888
ENTRYPOINT ["/opt/detoxlab/docker/entrypoint.sh"]

# --- grader: course staff's image: the grader, the answer key, the staff's tools and the tests ---------------
FROM runtime AS grader
COPY --from=build --chown=1000:1000 /opt/detoxlab /opt/detoxlab
USER 1000
CMD ["grade", "--help"]

# --- gradescope: the autograder on Gradescope's base image (build with --target gradescope) ---------------
# Python 3.11 from the base's packages, the locked .venv and trl built there (a .venv is tied to its Python),
# the assets copied from the assets stage; run_autograder in /autograder (gradescope/setup.sh).
FROM ${GRADESCOPE_BASE} AS gradescope
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_CERT
ARG DETOXLAB_TORCH_INDEX
ARG TRL_SOURCE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    DETOXLAB_ASSETS_DIR=/opt/detoxlab-assets \
    HF_HOME=/opt/detoxlab-assets/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1
COPY . /opt/detoxlab
COPY gradescope/ /autograder/source/
COPY --from=assets /opt/detoxlab-assets /opt/detoxlab-assets
RUN ["bash", "/opt/detoxlab/gradescope/setup.sh"]

# --- lab (the default target, built last): the student's image: Jupyter Lab on the student notebook -------
FROM runtime AS lab
COPY --from=handout --chown=1000:1000 /opt/detoxlab /opt/detoxlab
USER 1000
CMD ["lab"]
