FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY scpln ./scpln
COPY scenarios ./scenarios
COPY plans ./plans
COPY runs ./runs
COPY jobs ./jobs
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --create-home scpln && mkdir -p /data /backups /metrics \
    && chown scpln /data /backups /metrics
USER scpln
EXPOSE 8000
