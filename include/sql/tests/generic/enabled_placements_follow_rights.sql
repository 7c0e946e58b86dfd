{#- The rights-safety rule of the design: an enabled desired placement covers exactly the countries
    its asset may play in (the asset's whitelist / blacklist, and only when it may play somewhere),
    so it never covers a not-for-sale country. `model` is a placements model keyed
    '<asset id>|<channel>' with desired_json {"regions": {...}, "enabled": bool}; `assets` has
    asset_id, allows_anywhere, regions_whitelist, regions_blacklist. Returns the breaking keys. -#}
{% test enabled_placements_follow_rights(model, assets) %}
select rev.key
from {{ model }} as rev
inner join {{ assets }} as assets
    on assets.asset_id = split_part(rev.key, '|', 1)
where (rev.desired_json::json ->> '$.enabled')::boolean
    and (
        not assets.allows_anywhere
        or list_sort(from_json(rev.desired_json::json -> '$.regions.whitelist', '["VARCHAR"]'))
        <> list_sort(assets.regions_whitelist)
        or list_sort(from_json(rev.desired_json::json -> '$.regions.blacklist', '["VARCHAR"]'))
        <> list_sort(assets.regions_blacklist)
    )
{% endtest %}
