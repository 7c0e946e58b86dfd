{#- A rollup of mart_title_performance by one attribute of the title (mart_imprint_performance,
    mart_season_performance), declared on its group column: the groups' titles add up to every
    title of dim_title, so each title is in exactly one group (those without one under
    'Unassigned'). Returns one row, both counts, when it breaks. -#}
{% test every_title_in_one(model, column_name) %}
with

rollup as (
    select coalesce(sum(n_titles), 0) as rollup_titles
    from {{ model }}
),

titles as (
    select count(*) as dim_titles
    from {{ ref('dim_title') }}
)

select
    rollup.rollup_titles,
    titles.dim_titles
from rollup
cross join titles
where rollup.rollup_titles <> titles.dim_titles
{% endtest %}
