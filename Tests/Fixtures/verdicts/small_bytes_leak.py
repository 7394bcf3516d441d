"""A small-bytes leak: a log string that gets 8 characters longer each call.
No object is added (the string is replaced by a longer one); its bytes grow
by 8 a call."""
LOG = ""


def handle():
    global LOG
    LOG += "ok;ok;ok"  # 8 more bytes a call
