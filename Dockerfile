# The one image for the deployment (docker-compose.yml): the web app (default command), the Temporal
# worker (`python -m activities.worker`) and the one-shot migration job (`python -m scripts.migrate`).
FROM python:3.11-slim

# APP_ENV=production: the image is closed by default; every process refuses to start without its
# secrets (db/credentials.py). A developer running it on a laptop sets APP_ENV=development.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VAR_DIR=/app/var \
    APP_ENV=production

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Runtime state (uploads, the trained NLP model, pythainlp data) lives under /app/var, a volume in
# production; it is created here so a fresh named volume inherits the non-root owner.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/var/uploads /app/var/nlp-model \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# /health answers 200 only when the read model and Temporal both answer; urlopen raises on 503.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
