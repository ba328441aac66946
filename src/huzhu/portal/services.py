"""The worker's own writes that span apps: the card a claim made from data is paid to."""
from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.claims.services.from_data import confirm_bank_card
from huzhu.core.actors import WorkerActor
from huzhu.core.errors import ValidationFailed
from huzhu.members import queries as member_queries
from huzhu.security import services as security_services


@transaction.atomic
def change_card_and_confirm(*, worker_id: int, claim, code: str, bank_name: str, bank_account: str):
    """The worker changes her bank card with the texted code and confirms it for the claim, in one
    transaction: a claim that can no longer be confirmed leaves the card as it was."""
    security_services.change_own_bank_account(worker_id=worker_id, code=code, bank_name=bank_name,
                                              bank_account=bank_account)
    return confirm_bank_card(actor=WorkerActor(worker_id), claim=claim)


def confirm_card_on_file(*, worker_id: int, claim):
    """The worker confirms the card on file for a claim made from data (she is signed in with a code)."""
    if not member_queries.own_worker(worker_id).bank_account_masked:
        raise ValidationFailed("no_bank_card", _("您尚未登记银行卡，请先填写银行卡。"), field="bank_account")
    return confirm_bank_card(actor=WorkerActor(worker_id), claim=claim)
