{#- A row-count rule: the model may not be empty while `inputs`, a query over the model's inputs
    (refs and sources in Jinja), returns a row. So a mart cannot pass its tests on 0 rows built
    from inputs that had data (a broken join, a window computed from the wrong date). Returns one
    row, the failure, when it breaks. -#}
{% test not_empty_when(model, inputs) %}
select 'empty while its inputs give rows' as failure
where not exists (select 1 from {{ model }})
    and exists ({{ inputs }})
{% endtest %}
