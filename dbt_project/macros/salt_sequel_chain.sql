{#-
    The chain of activity that follows an anchor (a request cluster for STS001, an ST-Max
    cluster for STS002a, a review for LTS002), from which SALT derives the anchor's sequel
    (NHS England "Central Transformation Principles - SALT", reference §2.5):
      * candidates are the person's events (same council) starting on or after the anchor's
        end, except events of the anchor's own kind that end by then (the anchor's own
        episodes: any other of its kind starting that early would have joined its cluster);
      * the first must start no more than first_event_days after the anchor ends, or nothing
        follows;
      * the chain is the first cluster of those events with gaps of at most chain_gap_days
        (macro cluster_episodes: the gap is counted from the latest end so far, and an open
        event keeps the chain going [U]: NHSE's SQL compares with the previous event's end
        only, and lets an open first event in whatever its start);
      * an event of the anchor's own kind (another request, another ST-Max) supersedes the
        anchor: the chain stops before the first one, and events starting the same day.
    anchors: relation with the anchor_key columns, council_code, person_id and anchor_end_date;
    events: relation shaped like int_salt_events_prepared; own_kind: a SQL condition on the
    events relation, aliased "events". Returns anchor_key, anchor_end_date and the chain's
    events as sequel_* columns.
-#}
{% macro salt_sequel_chain(anchors, events, anchor_key, first_event_days, chain_gap_days, own_kind) -%}
    {%- set anchor_columns = [] %}
    {%- for column in anchor_key %}{% do anchor_columns.append('anchors.' ~ column) %}{% endfor %}
    {%- set candidates %}
        (
            select
                {{ anchor_columns | join(', ') }},
                anchors.anchor_end_date,
                events.event_row_id as sequel_event_row_id,
                events.event_type as sequel_event_type,
                events.event_start_date as sequel_event_start_date,
                events.event_end_date as sequel_event_end_date,
                events.service_type as sequel_service_type,
                events.event_outcome as sequel_event_outcome,
                events.outcome_rank as sequel_outcome_rank,
                coalesce({{ own_kind }}, false) as sequel_is_own_kind
            from {{ anchors }} as anchors
            inner join {{ events }} as events
                on anchors.council_code = events.council_code
                and anchors.person_id = events.person_id
            where events.event_start_date >= anchors.anchor_end_date
                and not (
                    coalesce({{ own_kind }}, false)
                    and events.event_end_date <= anchors.anchor_end_date
                )
        )
    {%- endset %}
    select * exclude (_chain_number, _first_start_date, _superseded_from)
    from (
        select
            *,
            min(sequel_event_start_date) over _anchor as _first_start_date,
            min(case when sequel_is_own_kind then sequel_event_start_date end) over _anchor
                as _superseded_from
        from (
            {{ cluster_episodes(candidates, anchor_key, chain_gap_days, 'sequel_event_start_date', 'sequel_event_end_date', 'sequel_event_row_id', '_chain_number') }}
        )
        window _anchor as (partition by {{ anchor_key | join(', ') }})
    )
    where _chain_number = 1
        and datediff('day', anchor_end_date, _first_start_date) <= {{ first_event_days }}
        and (_superseded_from is null or sequel_event_start_date < _superseded_from)
{%- endmacro %}
