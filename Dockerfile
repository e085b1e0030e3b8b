# The hub, for docker-compose.yml. Runs migrations and loads the fixtures on start.
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY hub hub
COPY schema schema
COPY loaders loaders
COPY fixtures fixtures
RUN pip install --no-cache-dir .
ENV HUB_HOST=0.0.0.0 HUB_PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "hub migrate && hub load-fixtures --directory /app/fixtures && hub serve"]
