{#- marts.allows_country(allows_anywhere, regions_whitelist, regions_blacklist, country): the
    per-country rights test on a (whitelist, blacklist) pair, created before the models (on-run-start)
    and kept in the warehouse so analysts test a country the way the marts do. -#}
{% macro create_allows_country() %}
create schema if not exists marts;
create or replace macro marts.allows_country(allows_anywhere, regions_whitelist, regions_blacklist, country) as
    coalesce(allows_anywhere, false)
    and not list_contains(coalesce(regions_blacklist, []), country)
    and (len(coalesce(regions_whitelist, [])) = 0 or list_contains(regions_whitelist, country))
{% endmacro %}
