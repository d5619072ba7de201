{#-
    The sequel of each anchor from its chain (macro salt_sequel_chain), by the first rule that
    gives one (NHS England SALT method for STS001 and STS002a, reference §2.5):
      service          a service in the chain whose type is in sequel_map -> its SALT sequel,
                       the highest ranked (service_rank), then the earliest;
      following_outcome otherwise the outcomes of the chain's non-service events that
                       sequel_map lists with from_following_event: of those ending last (open
                       ones last of all), one outcome gives its sequel; several different ones
                       conflict and give the sequel of var('salt_conflicting_nfa_outcome');
      own_outcome      otherwise the anchor's own outcome through sequel_map, or
                       var('salt_unclassified_sequel') when it has no SALT sequel.
    sequel_map columns: sequel_source ("Service type" / "Event outcome"), cld_value,
    salt_sequel, service_rank, from_following_event. Returns anchor_key, sequel_rule, sequel
    and sequel_service_event_row_id (the service giving the sequel, for rule "service").
-#}
{% macro salt_sequel_rules(anchors, chain, sequel_map, anchor_key, own_outcome_column) -%}
    {%- set keys = anchor_key | join(', ') %}
    select
        {% for column in anchor_key %}anchors.{{ column }},
        {% endfor -%}
        case
            when services.salt_sequel is not null then 'service'
            when outcomes.salt_sequel is not null then 'following_outcome'
            else 'own_outcome'
        end as sequel_rule,
        coalesce(
            services.salt_sequel,
            outcomes.salt_sequel,
            own.salt_sequel,
            '{{ var("salt_unclassified_sequel") }}'
        ) as sequel,
        services.sequel_event_row_id as sequel_service_event_row_id
    from {{ anchors }} as anchors
    left join (
        select chain.*, sequel_map.salt_sequel
        from {{ chain }} as chain
        inner join {{ sequel_map }} as sequel_map
            on sequel_map.sequel_source = 'Service type'
            and chain.sequel_event_type = '{{ var("service_event_type") }}'
            and chain.sequel_service_type = sequel_map.cld_value
        qualify row_number() over (
            partition by {% for column in anchor_key %}chain.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by
                sequel_map.service_rank,
                chain.sequel_event_start_date,
                chain.sequel_event_row_id
        ) = 1
    ) as services
        on {{ salt_columns_match('anchors', 'services', anchor_key) }}
    left join (
        select
            {{ keys }},
            case
                when count(distinct sequel_event_outcome) > 1 then any_value(conflict_sequel)
                else any_value(salt_sequel)
            end as salt_sequel
        from (
            select chain.*, sequel_map.salt_sequel, conflict.salt_sequel as conflict_sequel
            from {{ chain }} as chain
            inner join {{ sequel_map }} as sequel_map
                on sequel_map.sequel_source = 'Event outcome'
                and sequel_map.from_following_event
                and chain.sequel_event_outcome = sequel_map.cld_value
            left join {{ sequel_map }} as conflict
                on conflict.sequel_source = 'Event outcome'
                and conflict.cld_value = '{{ var("salt_conflicting_nfa_outcome") }}'
            where chain.sequel_event_type <> '{{ var("service_event_type") }}'
            qualify rank() over (
                partition by {% for column in anchor_key %}chain.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
                order by chain.sequel_event_end_date desc nulls last
            ) = 1
        )
        group by {{ keys }}
    ) as outcomes
        on {{ salt_columns_match('anchors', 'outcomes', anchor_key) }}
    left join {{ sequel_map }} as own
        on own.sequel_source = 'Event outcome'
        and own.cld_value = anchors.{{ own_outcome_column }}
{%- endmacro %}


{#- Join condition: the two relations agree on every column listed. -#}
{% macro salt_columns_match(left, right, columns) -%}
    {%- for column in columns %}{{ left }}.{{ column }} = {{ right }}.{{ column }}{% if not loop.last %} and {% endif %}{% endfor -%}
{%- endmacro %}
