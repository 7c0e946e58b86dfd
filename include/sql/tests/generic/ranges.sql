{#- Value rules of the marts, declared once in each model's .yml (and read from there by the GX
    profile of fct_video_daily, titlevideo/quality/suites.py). Nulls pass: not_null says otherwise. -#}

{#- min_value <= column <= max_value (either bound optional). -#}
{% test between(model, column_name, min_value=none, max_value=none) %}
{% set low = min_value if min_value is not none else "'-infinity'::double" %}
{% set high = max_value if max_value is not none else "'infinity'::double" %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and ({{ column_name }} < {{ low }} or {{ column_name }} > {{ high }})
{% endtest %}

{#- column <= other (a part never exceeds its whole: unique viewers <= views, ...). -#}
{% test not_greater_than(model, column_name, other) %}
    select
        {{ column_name }},
        {{ other }}
    from {{ model }}
    where {{ column_name }} > {{ other }}
{% endtest %}

{#- The column's text matches a regular expression (DuckDB regexp_full_match). -#}
{% test matches_regex(model, column_name, pattern) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and not regexp_full_match(cast({{ column_name }} as varchar), '{{ pattern }}')
{% endtest %}

{#- Exactly as many rows as another relation (one row per title: no fan-out, none lost). -#}
{% test same_row_count_as(model, other) %}
    with

    here as (
        select count(*) as rows_here
        from {{ model }}
    ),

    there as (
        select count(*) as rows_there
        from {{ other }}
    )

    select
        here.rows_here,
        there.rows_there
    from here
    cross join there
    where here.rows_here <> there.rows_there
{% endtest %}
