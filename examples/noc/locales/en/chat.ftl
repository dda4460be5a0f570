# The chat bot (Telegram, WhatsApp, console).

chat-no-router-called = No router called { $name }.
