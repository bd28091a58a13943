"""Synthetic Russian people for the demo: deterministic, plausible, and never a real child's name.

The surnames of the children named in the source documents are kept out of the lists, and a test
checks that none of them appears in the demo data.
"""

import random
from datetime import date, timedelta

from participants.models import Sex
from participants.names import normalise_name

SURNAMES = """
Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков
Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин
Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов
Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов
Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов
Сидоров Титов Марков Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков
Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров
Калинин Исаев Чернышёв Быков Маслов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев
Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников
Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов
Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов
Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин
Митрофанов Воронов Аксёнов Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев
Рыбаков Сафонов Плотников Дёмин Хохлов Жданов Русаков Агафонов Суханов Фадеев Бобров Шубин
Кононов Горелов Блинов Рожков Селезнёв
""".split()

MALE_NAMES = """
Александр Алексей Андрей Артём Владимир Даниил Дмитрий Егор Иван Илья Кирилл Максим Матвей Михаил
Никита Павел Роман Сергей Тимофей Фёдор Ярослав Глеб Денис Евгений Константин Лев Марк Николай
Степан Георгий Арсений Богдан Вадим Григорий Леонид Олег Семён Филипп Антон Всеволод
""".split()

FEMALE_NAMES = """
Анна Мария Елизавета Анастасия Дарья Полина Виктория Екатерина Софья Александра Ксения Алина
Варвара Вероника Валерия Арина Ульяна Кристина Юлия Ольга Татьяна Ирина Наталья Елена Диана
Милана Алёна Яна Маргарита Светлана Евгения Карина Таисия Василиса Злата Есения Ангелина Олеся
Надежда Людмила
""".split()

# Fathers' names as male patronymics; every one ends in -вич, the female form in -вна.
PATRONYMICS = """
Александрович Алексеевич Андреевич Владимирович Дмитриевич Евгеньевич Игоревич Иванович
Николаевич Олегович Павлович Петрович Сергеевич Викторович Юрьевич Михайлович Анатольевич
Валерьевич Геннадьевич Владиславович Константинович Васильевич Романович Максимович Денисович
Артёмович Вячеславович Станиславович Борисович Григорьевич
""".split()

# Surnames of the real children the Tomsk document names: never generated.
REAL_SURNAMES = frozenset(
    normalise_name(s)
    for s in """
    Фатхутдинов Фатхутдинова Паныч Шевченко Мартыненко Родионов Матвеев Щукин Баталов Миронович
    Бабушкина Бабушкин Вторушин Шалкичева Шалкичев Уточкин Долганов Осинская Осинский Дернин
    Алинский Черновская Черновский Ежова Ежов Репин
    """.split()
)


def _female_surname(surname: str) -> str:
    return surname + "а"


class PeopleFactory:
    """Generates distinct (ФИО, birth date) people from a seed: the same seed, the same people."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self._used: set[tuple[str, date]] = set()

    def person(self, born_between: tuple[date, date], sex: str | None = None) -> dict:
        sex = sex or self.rng.choice([Sex.MALE, Sex.FEMALE])
        first_day, last_day = born_between
        span = (last_day - first_day).days
        while True:
            surname = self.rng.choice(SURNAMES)
            patronymic = self.rng.choice(PATRONYMICS)
            if sex == Sex.FEMALE:
                last_name, first_name = _female_surname(surname), self.rng.choice(FEMALE_NAMES)
                patronymic = patronymic[:-3] + "вна"
            else:
                last_name, first_name = surname, self.rng.choice(MALE_NAMES)
            birth_date = first_day + timedelta(days=self.rng.randint(0, span))
            key = (normalise_name(last_name, first_name, patronymic), birth_date)
            if key not in self._used:
                self._used.add(key)
                return {
                    "last_name": last_name,
                    "first_name": first_name,
                    "patronymic": patronymic,
                    "birth_date": birth_date,
                    "sex": sex,
                }

    def adult_name(self) -> str:
        person = self.person((date(1965, 1, 1), date(1990, 12, 31)))
        return f"{person['last_name']} {person['first_name']} {person['patronymic']}"
