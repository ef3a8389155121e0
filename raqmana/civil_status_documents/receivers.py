from django.db.models.signals import post_save
from django.dispatch import receiver

from raqmana.kernel.personal_cache import people_changed, person_changed
from raqmana.payments.models import Payment

from .models import DocumentOrder

# A citizen's first page of orders is kept between their requests (selectors.orders_page): read again after any save
# of one of their orders or of its payment, wherever it is made (a service, a task, a payment's confirmation).


@receiver(post_save, sender=DocumentOrder, dispatch_uid="civil_status_documents.order_changed")
def order_changed(sender, instance, **kwargs) -> None:
    person_changed(instance.citizen_id)


@receiver(post_save, sender=Payment, dispatch_uid="civil_status_documents.payment_changed")
def payment_changed(sender, instance, **kwargs) -> None:
    people_changed(DocumentOrder.objects.filter(payment=instance).values_list("citizen_id", flat=True))
