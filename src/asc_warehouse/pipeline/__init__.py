"""Run the night: the DAG's steps, the dbt build and the atomic publication of the file."""
