# Airflow image for the ASC warehouse: the official Airflow image plus this project's Python
# package and its pinned dependencies (dbt-core, dbt-duckdb, duckdb, great-expectations, pandas).
#
# The image carries code and dependencies only. The DAGs, the dbt project, the expectation suites
# and the seeds are bind-mounted by docker-compose.yml at run time, under /opt/asc, and client
# extracts and the DuckDB warehouse never enter the image (see .dockerignore).
#
# The package is installed in editable mode from /opt/asc so that asc_warehouse.config's
# PROJECT_ROOT (the folder that holds src/) is /opt/asc, where the mounted seeds/, dbt_project/
# and expectations/ are found.
#
# Keep the tag in step with the apache-airflow pin in pyproject.toml
# (tests/test_docker_compose.py checks that they match).
FROM apache/airflow:3.3.2-python3.11

USER root
# Mount points and named-volume targets, owned by the image's airflow user (uid 50000, gid 0), so
# that fresh named volumes (warehouse, dbt state) start out writable by Airflow.
RUN mkdir -p /opt/asc/dags /opt/asc/dbt_project /opt/asc/expectations /opt/asc/seeds \
        /opt/asc/landing /opt/asc/warehouse /opt/asc/dbt-state \
    && chown -R airflow:0 /opt/asc \
    && chmod -R g+rwX /opt/asc

# pip must run as the airflow user in the official image (it refuses to install as root).
USER airflow
COPY --chown=airflow:0 pyproject.toml /opt/asc/pyproject.toml
COPY --chown=airflow:0 src/ /opt/asc/src/

# Versions come from pyproject.toml, which pins apache-airflow to the same version as the base
# image, so pip fails with a conflict message instead of silently changing Airflow.
RUN pip install --no-cache-dir -e /opt/asc \
    && (pip check || echo "WARNING: pip check found conflicts with preinstalled packages (above)") \
    && python -c "import asc_warehouse.config as c; assert str(c.PROJECT_ROOT) == '/opt/asc', c.PROJECT_ROOT"
