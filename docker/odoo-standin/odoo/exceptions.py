class UserError(Exception):
    def __init__(self, message=''):
        super().__init__(message)

    @property
    def name(self):
        return self.args[0] if self.args else ''


class RedirectWarning(Exception):
    pass


class AccessDenied(UserError):
    def __init__(self, message='Access Denied'):
        super().__init__(message)


class AccessError(UserError):
    pass


class CacheMiss(KeyError):
    pass


class MissingError(UserError):
    pass


class ValidationError(UserError):
    pass


except_orm = UserError
