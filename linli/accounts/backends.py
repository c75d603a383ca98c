"""Sign-in by username or by mobile number (found through its keyed hash)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from linli.core.crypto import lookup_hash
from linli.core.validators import looks_like_mobile, normalise_mobile


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        login = username.strip()
        user = None
        if looks_like_mobile(login):
            user = User.objects.filter(mobile_hash=lookup_hash(normalise_mobile(login))).first()
        if user is None:
            user = User.objects.filter(username=login).first()
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
