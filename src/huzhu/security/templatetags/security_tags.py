from django import template

from huzhu.security.permissions import can_reveal_personal_data

register = template.Library()


@register.filter
def may_reveal_personal_data(scope) -> bool:
    """{% if scope|may_reveal_personal_data %}: whether the role may see full numbers."""
    return scope is not None and can_reveal_personal_data(scope)
