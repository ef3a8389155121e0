from django.dispatch import Signal

# Sent, once the transaction commits, with `assignment`: the role was granted (accounts tells the person).
role_granted = Signal()
