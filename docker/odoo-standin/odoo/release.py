from standin.release import *  # noqa: F401,F403
