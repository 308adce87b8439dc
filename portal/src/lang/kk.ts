// Қазақша: what is translated so far; every other key falls back to Russian.
export const kk: Record<string, string> = {
  "nav.dashboard": "Басты бет", "nav.contracts": "Шарттар", "nav.documents": "Құжаттар", "nav.payments": "Төлемдер",
  "nav.applications": "Өтінімдер", "nav.points": "Есепке алу нүктелері", "nav.tariffs": "Тарифтер",
  "nav.menu": "Басты мәзір", "nav.skip": "Мазмұнға өту",
  "shell.language": "Тіл", "shell.sign_out": "Шығу", "shell.user_account": "Жеке кабинет", "shell.console": "Оператор консолі",
  "signin.title": "Gridbill жүйесіне кіру", "signin.username": "Пайдаланушы аты", "signin.password": "Құпиясөз",
  "signin.submit": "Кіру", "signin.wrong": "Пайдаланушы аты немесе құпиясөз қате.",
  "common.loading": "Жүктелуде…", "common.search": "Іздеу", "common.save": "Сақтау", "common.cancel": "Болдырмау",
  "common.next": "Келесі", "common.previous": "Алдыңғы", "common.service": "Қызмет",
  "dashboard.period": "Есеп кезеңі", "dashboard.charged": "Есептелді", "dashboard.paid": "Төленді",
  "documents.number": "Нөмір", "documents.total": "Барлығы", "form.required": "міндетті өріс",
  "lang.en": "English", "lang.ru": "Русский", "lang.kk": "Қазақша",
};
