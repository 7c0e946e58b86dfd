{#- Layer folders map to DuckDB schemas of the same name (staging, intermediate, marts, reverse,
    ref), not dbt's default <target schema>_<custom schema>: analysts and the syncs read
    marts.dim_title, reverse.rev_bytenite__jobs, ... -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
