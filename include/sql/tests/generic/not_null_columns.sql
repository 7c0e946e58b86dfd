{#- The columns of a model that may not be null, declared once in the model's .yml as one list.
    One query (one scan) checks them all: a test node per column cost dbt ~20 ms of fixed work
    each, most of a small build's time. Returns one row per column that has nulls, with how many,
    so a failure names the broken column. -#}
{% test not_null_columns(model, columns) %}
with

nulls as (
    select
        {% for column in columns -%}
            count(*) filter (where {{ column }} is null) as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
)

select
    column_name,
    n_null
from nulls
unpivot (n_null for column_name in ({{ columns | join(', ') }}))
where n_null > 0
{% endtest %}
