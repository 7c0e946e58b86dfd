{#- The Consonance labels the integration sets on a ByteNite job or asset, normalised the one way
    both staging models read them: blanks are null, the work id also as a number, ISBNs without
    hyphens or spaces, the deliverable type without its enum prefix. -#}
{% macro bytenite_label_columns() %}
        nullif(trim(label_consonance_work_id), '') as label_consonance_work_id,
        try_cast(nullif(trim(label_consonance_work_id), '') as bigint) as label_work_id,
        nullif(replace(replace(trim(label_isbn13), '-', ''), ' ', ''), '') as label_isbn13,
        regexp_replace(nullif(trim(label_deliverable_type), ''), '^DELIVERABLE_TYPE_', '') as label_deliverable_type,
        nullif(replace(replace(trim(label_audio_product_isbn13), '-', ''), ' ', ''), '') as label_audio_product_isbn13,
{%- endmacro %}
