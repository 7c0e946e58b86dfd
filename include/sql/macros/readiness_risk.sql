{#- readiness_risk_reason(...): the at-risk rule of campaign readiness (business rules readiness.*),
    one definition for marts.mart_launch_readiness and the readiness lines of the performance
    summary (rev_consonance__summaries): blocked; not ready ready_days_before days before
    publication; not placed placed_days_before days before it. Null when not at risk. -#}
{% macro readiness_risk_reason(
    state, blocked_reason, as_of_date, ready_by_date, ready_days_before, placed_by_date, placed_days_before
) %}
case
    when {{ state }} = 'blocked' then 'blocked: ' || {{ blocked_reason }}
    when {{ state }} not in ('placed', 'published', 'ready') and {{ as_of_date }} >= {{ ready_by_date }}
        then
            'not ready '
            || {{ ready_days_before }}
            || ' days before publication (due '
            || strftime({{ ready_by_date }}, '%Y-%m-%d')
            || ')'
    when {{ state }} <> 'placed' and {{ as_of_date }} >= {{ placed_by_date }}
        then
            'not placed on any channel '
            || {{ placed_days_before }}
            || ' days before publication (due '
            || strftime({{ placed_by_date }}, '%Y-%m-%d')
            || ')'
end
{%- endmacro %}
