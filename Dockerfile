FROM python:3.11-slim
WORKDIR /srv/konvoi
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# The versions CI tested.
RUN pip install --no-cache-dir -c constraints.txt .
# Migrations are found next to the installed package's working directory.
ENV PYTHONPATH=/srv/konvoi
EXPOSE 8000
CMD ["konvoi", "serve", "--host", "0.0.0.0", "--port", "8000"]
