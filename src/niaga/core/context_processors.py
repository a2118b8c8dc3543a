from niaga.core import permissions


def niaga(request):
    user = getattr(request, "user", None)
    return {
        "niaga_role": permissions.primary_role(user) if user else None,
        "niaga_is_officer": permissions.is_officer(user) if user else False,
    }
