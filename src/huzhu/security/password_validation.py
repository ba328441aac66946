"""Staff password policy (等保 level 3, 身份鉴别): length, character classes, no reuse of the last five.

Django's AUTH_PASSWORD_VALIDATORS runs these wherever a password is set through a form (the change
page, the admin) and `password_changed` after every save of a new password, so the history is
kept whichever door set it.
"""
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (str.islower, str.isupper, str.isdigit, lambda char: not char.isalnum())


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(any(test(char) for char in password) for test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """A new password may not equal any of the account's last `keep` passwords."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def _recent(self, user):
        from .models import PasswordHistory

        return PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")[: self.keep]

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        earlier = [row.password_hash for row in self._recent(user)] + ([user.password] if user.password else [])
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        PasswordHistory.objects.create(user=user, password_hash=user.password)
        keep = list(self._recent(user).values_list("pk", flat=True))
        PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()

    def get_help_text(self):
        return _("新密码不能与最近 %(n)s 次使用过的密码相同。") % {"n": self.keep}
