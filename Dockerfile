# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SCPLN_DATA_DIR=/data SCPLN_BACKUP_DIR=/backups PROMETHEUS_MULTIPROC_DIR=/metrics
# postgresql-client: pg_dump/pg_restore for backups and restores of PostgreSQL
# (Debian bookworm ships 15; the server must not be newer than the client).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY scpln ./scpln
COPY config ./config
COPY core ./core
COPY scenarios ./scenarios
COPY plans ./plans
COPY runs ./runs
COPY jobs ./jobs
RUN pip install --no-cache-dir .
COPY . .
# The translations are kept as .po files only (.mo is build output, not in git).
RUN pybabel --quiet compile --directory locale --domain django
# The data and backup volumes hold the database, its backups and the secret
# key: readable by the scpln account only (scpln writes its files 0600).
RUN useradd --create-home scpln && mkdir -p /data /backups /metrics /archive \
    && chown scpln /data /backups /metrics /archive && chmod 0700 /data /backups /archive
USER scpln
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
