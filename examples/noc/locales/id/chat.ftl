# The chat bot (Telegram, WhatsApp, console).

chat-no-router-called = Tidak ada router bernama { $name }.
