/*
 * tweet-sim: a deterministic generator of social-media posts.
 *
 * Every post is one NDJSON record {"id","ts","user","lang","text"}.  All
 * randomness comes from one xoshiro256** stream seeded by --seed, and time
 * is a schedule (post n is due at start + n / rate), so the same options
 * give the same bytes whether the posts are paced or not.
 *
 * Text is assembled from prepared fragments: every string of the
 * vocabulary is JSON-escaped once at startup into one arena, and a post is
 * a run of memcpy calls into the output buffer.  Hashtags follow a Zipf
 * law over a fixed vocabulary, in three spellings of case; on top of them
 * a schedule of trends makes a new hashtag rise, peak and fade every
 * --trend-every of simulated time.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "sim.h"

#define SNOWFLAKE_EPOCH	1288834974657LL	/* Twitter's, so ids look real */
#define SNOWFLAKE_SPAN	(1LL << 41)	/* ms the time bits can count */
#define NUSERS		4096
#define MAX_TRENDS	8

enum { PT, EN, ES, NLANG };

/* Options besides those of every simulator (sim.h). */
static int64_t trend_every = 300000;	/* --trend-every */

/* Pieces of text are prepared JSON string content (sim_text_json). */
struct pool {
	struct sim_frag *f;
	uint32_t n, max;		/* count, longest */
};

struct user {
	struct sim_frag head;		/* ","user":"NAME","lang":"xx","text":" */
	struct sim_frag at;		/* @NAME */
	unsigned char lang;
};

/* Vose's alias method over weights 1/(k + q): one draw, no search. */
struct alias {
	uint32_t n;
	uint32_t *thr, *alt;
};

struct trend {
	uint32_t tag;			/* index into trend_tags */
	uint32_t thr;			/* chance per post, of 2^32 */
};

static struct sim_rng rng;
static struct user users[NUSERS];
static struct alias poster_law, mention_law, tag_law;
static struct pool sentences[NLANG], closed[NLANG];	/* closed: with a full stop */
static struct pool reactions[NLANG], articles[NLANG];
static struct pool emoji, queries, anchors;
static struct pool tags[3], trend_tags[3];	/* as written, lower, upper */
static uint32_t *tag_rank;		/* Zipf rank -> tag */
static uint32_t *trend_order;		/* trend k -> trend tag */
static uint32_t nbrands;		/* users[0 .. nbrands) are brands */
static uint64_t worker;			/* snowflake worker bits */
static size_t rec_max;			/* bound on one record's length */

/* The time of the post being made. */
static struct sim_ts stamp = { .sec = INT64_MIN };
static struct trend active[MAX_TRENDS];
static int nactive;
static uint64_t last_id;

/* The vocabulary.  Strings are UTF-8 as a user would type them. */

static const char *const sentence_src[NLANG][48] = {
	[PT] = {
		"Não acredito que o jogo terminou empatado de novo.",
		"Alguém mais achou que o juiz roubou descaradamente no segundo tempo?",
		"Bom dia pra quem já tá no terceiro café da manhã",
		"Hoje o trânsito na Marginal está impossível, duas horas pra chegar no trabalho.",
		"Que calor é esse, São Paulo? 34 graus às nove da manhã",
		"Acabei de ver o último episódio e estou sem palavras.",
		"Finalmente sexta-feira! Quem vai pro churrasco?",
		"A fila do pão de queijo no aeroporto tá maior que a do embarque",
		"Ninguém:\nEu às 3h da manhã pensando no jogo de ontem",
		"O show de ontem foi simplesmente histórico, que energia!",
		"Preciso de recomendações de livros pra ler nas férias.",
		"A nova atualização do app apagou todas as minhas conversas",
		"Esse gol aos 47 do segundo tempo vai ficar na memória por anos.",
		"Chove há três dias seguidos aqui em Curitiba, normal.",
		"Minha mãe descobriu os áudios de 5 minutos e agora não para mais",
		"Estou aprendendo Rust e o borrow checker está ganhando de mim.",
		"Se o ônibus atrasar mais uma vez eu vou a pé mesmo",
		"Feijoada de sábado com a família é outro nível.",
		"A reunião que poderia ter sido um e-mail durou duas horas.",
		"Alguém sabe se o metrô está funcionando normalmente hoje?",
		"Primeira vez no Nordeste e já quero me mudar pra cá",
		"Parabéns aos envolvidos, que campanha incrível do time!",
		"Esse técnico precisa ser demitido ontem.",
		"O preço do café subiu de novo, não dá mais",
		"Lançamos hoje a versão 2.0 do nosso projeto open source, feedback é bem-vindo!",
		"Votação aberta até meia-noite, não esqueçam de participar.",
		"Meu cachorro comeu o controle remoto e agora a TV é dele",
		"A previsão diz sol o dia todo, mas eu não confio.",
		"Quem inventou a segunda-feira precisa ser investigado",
		"Ouvindo aquele álbum de 2010 e me sentindo velho.",
		"Saudade de quando dava pra viajar sem olhar o preço da passagem",
		"O atendimento da operadora me deixou 40 minutos esperando.",
		"Que final de novela foi essa, gente?",
		"Corri meus primeiros 10 km hoje, tô morto mas feliz",
		"Tá rolando um eclipse parcial agora, olhem pro céu (com proteção!)",
		"Dica: o pastel da feira de quarta é o melhor da cidade.",
		"Hoje é dia de maratona de série e pipoca",
		"A seleção joga às 16h, o chefe que me perdoe.",
		"Fiz pão caseiro pela primeira vez e ficou parecendo um tijolo",
		"Alguém explica por que a internet cai sempre na hora do jogo?",
		"Quando ele disse \"vai dar tudo certo\" eu já sabia que não ia.",
		"Obrigado a todos pelas mensagens de aniversário \u2764\ufe0f",
		"Açaí com granola no café da manhã, começando bem a semana",
		"Três horas de fila pra tirar passaporte. Três.",
		"O Wi-Fi do coworking caiu e a produtividade foi junto",
		"Acordei às 5h pra ver a largada e valeu cada minuto.",
		NULL,
	},
	[EN] = {
		"Can't believe the game ended in a draw again.",
		"Is anyone else's internet down or is it just me?",
		"Coffee number three and it's not even 10am",
		"Traffic on the 405 is a nightmare today, two hours to get to work.",
		"Just finished the finale and I need someone to talk to about it",
		"Finally Friday! Who's up for drinks after work?",
		"The line at airport security is longer than my patience.",
		"Nobody:\nMe at 3am: rewatching last night's highlights",
		"Last night's concert was absolutely unreal, what an energy!",
		"Looking for book recommendations for my vacation.",
		"The new app update deleted all my saved playlists",
		"That stoppage-time winner will be remembered for years.",
		"It's been raining for three straight days here in Seattle, so... normal.",
		"Learning Rust and the borrow checker is winning so far.",
		"If this bus is late one more time I'm walking",
		"This meeting could have been an email, and it lasted two hours.",
		"Does anyone know if the subway is running normally today?",
		"First time in Lisbon and I already want to move here",
		"Congrats to everyone involved, what a season for the team!",
		"The coach has to go. Today.",
		"We just shipped v2.0 of our open source project, feedback welcome!",
		"Polls close at midnight, don't forget to vote.",
		"My dog ate the TV remote and now he owns the TV",
		"Forecast says sunny all day but I don't trust it.",
		"Whoever invented Mondays should be investigated",
		"Listening to an album from 2010 and feeling old.",
		"Been on hold with customer service for 40 minutes now",
		"Ran my first 10K today, exhausted but happy.",
		"There's a partial eclipse right now, look up (with eye protection!)",
		"Pro tip: the taco truck on 5th street is the best in town.",
		"Binge-watching day with popcorn and zero regrets",
		"Kickoff at 4pm, sorry boss.",
		"Baked my first sourdough and it came out like a brick",
		"Why does the Wi-Fi always die right before the match?",
		"When he said \"trust me, it'll be fine\" I knew it wouldn't be.",
		"Thanks everyone for the birthday wishes \u2764\ufe0f",
		"Hot take: pineapple on pizza is fine.",
		"Prices at the grocery store are getting ridiculous",
		"The café downstairs finally has oat milk, life is good.",
		"Updated my résumé for the first time in five years",
		"Deploying on a Friday afternoon, what could go wrong?",
		"Three hours in line for a passport. Three.",
		"Woke up at 5am for the race start and it was worth every minute.",
		"Our team just hit 1,000 stars on GitHub, thank you all!",
		"Snow day! Schools are closed and the kids are thrilled",
		"The naïve fix worked on the first try, which is suspicious.",
		NULL,
	},
	[ES] = {
		"No puedo creer que el partido terminó empatado otra vez.",
		"¿Alguien más piensa que el árbitro fue un desastre en el segundo tiempo?",
		"Buenos días a todos los que ya van por el tercer café",
		"El tráfico en la Avenida Insurgentes está imposible hoy.",
		"¡Qué calor hace en Sevilla! 40 grados a las once de la mañana",
		"Acabo de ver el último capítulo y me quedé sin palabras.",
		"¡Por fin viernes! ¿Quién se apunta a unas cañas?",
		"La cola del control de seguridad en Barajas es eterna",
		"Nadie:\nYo a las 3 de la mañana: viendo los goles de ayer",
		"El concierto de anoche fue histórico, ¡qué energía!",
		"Necesito recomendaciones de libros para las vacaciones.",
		"La nueva actualización de la app borró todas mis conversaciones",
		"Ese gol en el minuto 93 lo vamos a recordar durante años.",
		"Llevo tres días con lluvia aquí en Bogotá, lo normal.",
		"Mi abuela descubrió los stickers y ya no para de mandarlos",
		"Estoy aprendiendo Rust y el borrow checker me está ganando.",
		"Si el colectivo llega tarde otra vez me voy caminando",
		"Asado del domingo con la familia, no hay nada mejor.",
		"Una reunión que podría haber sido un correo duró dos horas.",
		"¿Alguien sabe si el metro funciona con normalidad hoy?",
		"Primera vez en Buenos Aires y ya me quiero mudar",
		"Enhorabuena al equipo, ¡qué temporada increíble!",
		"Este entrenador tiene que irse ya.",
		"El precio del aguacate está por las nubes",
		"Hoy publicamos la versión 2.0 de nuestro proyecto de código abierto.",
		"Las urnas cierran a medianoche, no se olviden de votar.",
		"Mi perro se comió el control remoto y ahora la tele es suya",
		"El pronóstico dice sol todo el día pero no me fío.",
		"El que inventó los lunes debería ser investigado",
		"Escuchando un disco de 2010 y sintiéndome viejo.",
		"Llevo 40 minutos en espera con atención al cliente",
		"Corrí mis primeros 10 km hoy, muerto pero feliz.",
		"Hay un eclipse parcial ahora mismo, ¡miren al cielo con protección!",
		"Consejo: los tacos al pastor de la esquina son los mejores de la ciudad.",
		"Día de maratón de series con palomitas",
		"El partido es a las 16h, que mi jefe me perdone.",
		"Hice pan casero por primera vez y parece un ladrillo",
		"¿Por qué el wifi siempre se cae justo antes del partido?",
		"Cuando dijo \"confía en mí\" supe que nada iba a salir bien.",
		"Gracias a todos por las felicitaciones de cumpleaños \u2764\ufe0f",
		"El ñandú del zoológico se escapó otra vez, no es broma.",
		"España, México y Argentina en el mismo grupo, ¿qué os parece?",
		"Tres horas de cola para renovar el pasaporte. Tres.",
		"Me levanté a las 5 para ver la salida y valió cada minuto.",
		"Mañana empieza la dieta, hoy churros con chocolate",
		"El pingüino del acuario tiene más seguidores que yo",
		NULL,
	},
};

static const char *const reaction_src[NLANG][16] = {
	[PT] = { "Kkkkkkk", "Sério.", "Que fase.", "Só eu?", "Bora!",
		 "Socorro.", "Aff.", "Eita!", "Não aguento mais.", "Tô chocado.",
		 "Pelo amor de Deus.", "Vamos que vamos!", NULL },
	[EN] = { "lol", "Seriously.", "Just me?", "Let's go!", "Help.",
		 "Ugh.", "I can't.", "No words.", "What a time to be alive.",
		 "Unreal.", "Send help.", "Big mood.", NULL },
	[ES] = { "Jajajaja", "En serio.", "¿Solo yo?", "¡Vamos!", "Socorro.",
		 "Uf.", "No puedo más.", "Qué fuerte.", "Madre mía.", "Flipando.",
		 "Ni modo.", "¡Qué locura!", NULL },
};

/* Articles, as host and path; some paths carry a query of their own. */
static const char *const article_src[NLANG][16] = {
	[PT] = {
		"g1.globo.com/economia/noticia/2026/01/12/dolar-fecha-em-alta.ghtml",
		"ge.globo.com/futebol/times/flamengo/noticia/2026/01/10/flamengo-vence-classico.ghtml",
		"www1.folha.uol.com.br/cotidiano/2026/01/calor-recorde-em-sao-paulo.shtml",
		"www.publico.pt/2026/01/08/culturaipsilon/noticia/festival-lisboa-2087654",
		"www.uol.com.br/esporte/futebol/ultimas-noticias/2026/01/09/selecao-convocada.htm",
		"pt.wikipedia.org/wiki/Festa_junina",
		"pt.wikipedia.org/wiki/São_João_del-Rei",
		"www.tecmundo.com.br/software/281234-nova-atualizacao.htm",
		"www.youtube.com/watch?v=kJQP7kiw5Fk",
		NULL,
	},
	[EN] = {
		"www.bbc.co.uk/news/articles/c4g0ld3n2026o",
		"www.theguardian.com/football/2026/jan/10/match-report",
		"github.com/rust-lang/rust/releases/tag/1.92.0",
		"news.ycombinator.com/item?id=46123456",
		"www.nytimes.com/2026/01/09/technology/ai-chips.html",
		"en.wikipedia.org/wiki/Solar_eclipse_of_August_12,_2026",
		"arstechnica.com/science/2026/01/new-telescope-images/",
		"www.reddit.com/r/programming/comments/1abcde/why_we_rewrote_it/",
		"en.wikipedia.org/wiki/Café_au_lait",
		NULL,
	},
	[ES] = {
		"elpais.com/deportes/2026-01-10/el-clasico-en-directo.html",
		"www.marca.com/futbol/real-madrid/2026/01/10/crónica.html",
		"www.clarin.com/sociedad/ola-de-calor-en-buenos-aires_0_abc123.html",
		"www.eltiempo.com/colombia/bogota/lluvias-en-bogota-2026",
		"es.wikipedia.org/wiki/Ñandú",
		"www.elmundo.es/tecnologia/2026/01/11/nueva-ley-ia.html",
		"www.infobae.com/america/mexico/2026/01/09/sismo-en-cdmx/",
		"www.youtube.com/watch?v=kJQP7kiw5Fk",
		NULL,
	},
};

static const char *const query_src[] = {
	"?utm_source=twitter&utm_medium=social", "?ref=share", "?s=20",
	"?utm_campaign=newsletter&utm_source=tw", "?lang=es", "?page=2",
	NULL,
};

static const char *const anchor_src[] = {
	"#comments", "#comentarios", "#section-2", "#top", "#L42",
	"#resultado", "#ao-vivo", NULL,
};

/* Plain emoji, emoji with variation selectors, modifiers, ZWJ sequences,
 * flags and a keycap. */
static const char *const emoji_src[] = {
	"\U0001F602", "\U0001F525", "\u26BD", "\U0001F64F", "\U0001F60D",
	"\U0001F389", "\U0001F44F", "\U0001F62D", "\U0001F914", "\U0001F4AA",
	"\U0001F64C", "\U0001F440", "\U0001F605", "\U0001F680", "\u2615",
	"\U0001F4AF", "\U0001F972", "\U0001FAE0", "\u2764\uFE0F",
	"\u2600\uFE0F", "\u2708\uFE0F", "\u26A0\uFE0F", "\U0001F327\uFE0F",
	"\U0001F44D\U0001F3FD", "\U0001F469\U0001F3FD\u200D\U0001F4BB",
	"\U0001F468\u200D\U0001F469\u200D\U0001F467",
	"\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F9D1\u200D\U0001F680",
	"\U0001F937\u200D\u2642\uFE0F",
	"\U0001F64B\U0001F3FB\u200D\u2640\uFE0F",
	"\U0001F1E7\U0001F1F7", "\U0001F1EA\U0001F1F8", "\U0001F1FA\U0001F1F8",
	"\U0001F1E6\U0001F1F7", "\U0001F1F2\U0001F1FD", "\U0001F1F5\U0001F1F9",
	"1\uFE0F\u20E3", NULL,
};

/* Everyday hashtags, drawn by a Zipf law (ranks shuffled per seed). */
static const char *const tag_src[] = {
	"WorldCup", "Copa2026", "Futebol", "Fútbol", "Football", "Brasileirão",
	"Flamengo", "Corinthians", "Palmeiras", "SãoPaulo", "Vasco", "Grêmio",
	"Boca", "RiverPlate", "RealMadrid", "Barça", "Atleti", "LaLiga",
	"ElClásico", "PremierLeague", "Libertadores", "ChampionsLeague",
	"Messi", "Neymar", "Vini_Jr", "NBA", "NFL", "F1", "Fórmula1", "MotoGP",
	"Tênis", "Olimpíadas", "JuegosOlímpicos", "Rust", "Python",
	"JavaScript", "TypeScript", "Golang", "Linux", "OpenSource", "DevOps",
	"Kubernetes", "Docker", "AI", "IA", "MachineLearning", "DataScience",
	"Cloud", "CyberSecurity", "Startup", "Tech", "Tecnologia",
	"Tecnología", "Programação", "Programación", "100DaysOfCode",
	"Ciência", "Ciencia", "Science", "Espaço", "Space", "ClimateChange",
	"MudançasClimáticas", "CambioClimático", "Eleições2026",
	"Elecciones2026", "Política", "Politics", "Economia", "Economía",
	"Bitcoin", "Crypto", "Ethereum", "Ibovespa", "WallStreet", "Inflação",
	"Inflación", "Dólar", "Música", "Music", "NewMusic", "Spotify",
	"Netflix", "Cinema", "Cine", "Series", "BBB26", "Novela", "Anime",
	"KPop", "Reggaeton", "Sertanejo", "Samba", "Forró", "Tango", "Gaming",
	"PlayStation", "Nintendo", "Xbox", "Minecraft", "Foodie", "Receita",
	"Receta", "Café", "Churrasco", "Asado", "Tacos", "Viagem", "Viaje",
	"Travel", "Praia", "Playa", "Verão", "Verano", "Chuva", "Lluvia",
	"Calor", "MondayMotivation", "SegundaFeira", "Lunes", "SextaFeira",
	"Viernes", "FridayFeeling", "TBT", "FelizAñoNuevo", "FelizAnoNovo",
	"HappyNewYear", "Carnaval", "RioDeJaneiro", "BuenosAires", "CDMX",
	"Madrid", "Barcelona", "Lisboa", "Porto", "NYC", "London", "São_João",
	"Festa_Junina", "Ñandú", "Copa_América", "Pão_de_Queijo", "Año_Nuevo",
	"Cumpleaños", "Aniversário", "Pets", "Cachorro", "Perro", "Gatos",
	"DogsOfTwitter", "CatsOfTwitter", "Fitness", "Running", "Yoga",
	"Saúde", "Salud", "Health", "Educação", "Educación", "Trabajo",
	"Trabalho", "HomeOffice", "Teletrabajo", "Remote", NULL,
};

/* Event hashtags for the trend schedule; none is an everyday one. */
static const char *const trend_src[] = {
	"Eclipse2026", "ApagãoSP", "ApagónMadrid", "InstagramDown",
	"QuedaDoWhatsApp", "CaídaDeWhatsApp", "Oscars2026", "Grammys2026",
	"LatinGrammy", "MetGala", "Paredão_BBB26", "FinalDaLibertadores",
	"FinalDeLaChampions", "SuperBowlLX", "GP_Interlagos",
	"GranPremioDeMéxico", "TerremotoChile", "Sismo_CDMX", "OndaDeCalor",
	"OlaDeCalor", "Heatwave2026", "NovoÁlbum", "NuevoDisco",
	"NewAlbumOut", "TrailerOficial", "GameAwards", "AppleEvent",
	"ReformaTributária", "DebateNaGlobo", "DebatePresidencial",
	"DíaDeMuertos", "BlackFriday", "CyberMonday", "Réveillon",
	"Nochevieja", "Rock_in_Rio", "Lollapalooza", "Coachella",
	"Sanfermines", "Ñoquis29", NULL,
};

/* Screen names are made from these, ASCII as the services require. */
static const char *const first_src[NLANG][24] = {
	[PT] = { "ana", "joao", "maria", "pedro", "lucas", "julia", "gabriel",
		 "beatriz", "rafael", "larissa", "thiago", "camila", "bruno",
		 "fernanda", "mateus", "leticia", "gustavo", "isabela", "caio",
		 "vitoria", "diego", "manu", "rodrigo", NULL },
	[EN] = { "emma", "liam", "olivia", "noah", "ava", "james", "sophia",
		 "oliver", "mia", "ethan", "chloe", "jack", "grace", "ryan",
		 "zoe", "mason", "lily", "ben", "ella", "sam", "kate", "alex",
		 "nick", NULL },
	[ES] = { "sofia", "mateo", "valentina", "santiago", "lucia", "diego",
		 "camila", "alejandro", "martina", "pablo", "ximena", "javier",
		 "paula", "andres", "daniela", "carlos", "elena", "nico",
		 "renata", "miguel", "carmen", "tomas", "ines", NULL },
};

static const char *const last_src[NLANG][20] = {
	[PT] = { "silva", "souza", "santos", "oliveira", "lima", "costa",
		 "pereira", "almeida", "ferreira", "rodrigues", "gomes",
		 "ribeiro", "carvalho", "barbosa", "rocha", "martins", NULL },
	[EN] = { "smith", "johnson", "brown", "taylor", "miller", "davis",
		 "wilson", "moore", "clark", "walker", "hall", "young", "king",
		 "wright", "hughes", "evans", NULL },
	[ES] = { "garcia", "lopez", "martinez", "gonzalez", "fernandez",
		 "ramirez", "torres", "flores", "rivera", "gomez", "diaz",
		 "moreno", "romero", "herrera", "castro", "vargas", NULL },
};

/* Accounts that get mentioned most; they come first in the mention law. */
static const char *const brand_src[] = {
	"g1", "folha", "elpais", "BBCWorld", "nytimes", "marca", "ESPNBrasil",
	"SpaceX", "NASA", "UOL", "infobae", "CNNEE", "Reuters", "github",
	NULL,
};

static const char lang_name[NLANG][3] = { "pt", "en", "es" };

static const char base62[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789Qz";

/* True with probability pm / 1000. */
static inline int chance(struct sim_rng *r, unsigned pm)
{
	return sim_below(r, 1000) < pm;
}

static inline uint32_t alias_draw(const struct alias *a, struct sim_rng *r)
{
	uint64_t x = sim_next(r);
	uint32_t i = (uint32_t)(((x >> 32) * a->n) >> 32);

	return (uint32_t)x < a->thr[i] ? i : a->alt[i];
}

/* Startup. */

/*
 * Integer weights keep the tables the same on every machine.  Weights are
 * 2^24 / (k + q), so scaled probabilities stay below 2^28 and the
 * thresholds p * 2^32 / W fit in 64 bits.
 */
static void alias_build(struct alias *a, uint32_t n, uint32_t q)
{
	uint64_t *p = rt_xcalloc(n, sizeof *p), total = 0;
	uint32_t *small = rt_xcalloc(n, sizeof *small);
	uint32_t *large = rt_xcalloc(n, sizeof *large);
	uint32_t ns = 0, nl = 0, i;

	a->n = n;
	a->thr = rt_xcalloc(n, sizeof *a->thr);
	a->alt = rt_xcalloc(n, sizeof *a->alt);
	for (i = 0; i < n; i++)
		total += p[i] = (1ULL << 24) / (i + q);
	for (i = 0; i < n; i++) {
		p[i] *= n;
		if (p[i] < total)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[nl - 1];

		a->thr[s] = (uint32_t)((p[s] << 32) / total);
		a->alt[s] = l;
		p[l] -= total - p[s];
		if (p[l] < total) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What is left holds a full column: rounding leftovers only. */
	while (nl > 0) {
		i = large[--nl];
		a->thr[i] = UINT32_MAX, a->alt[i] = i;
	}
	while (ns > 0) {
		i = small[--ns];
		a->thr[i] = UINT32_MAX, a->alt[i] = i;
	}
	free(p);
	free(small);
	free(large);
}

static void alias_free(struct alias *a)
{
	free(a->thr);
	free(a->alt);
}

static void pool_add(struct pool *pl, const char *s, size_t len, uint32_t cap)
{
	struct sim_frag f;

	if (pl->f == NULL)
		pl->f = rt_xcalloc(cap, sizeof *pl->f);
	f = sim_text_json(s, len);
	pl->f[pl->n++] = f;
	if (f.len > pl->max)
		pl->max = f.len;
}

static uint32_t count_src(const char *const *src)
{
	uint32_t n = 0;

	while (src[n] != NULL)
		n++;
	return n;
}

static void pool_load(struct pool *pl, const char *const *src)
{
	uint32_t i, n = count_src(src);

	for (i = 0; i < n; i++)
		pool_add(pl, src[i], strlen(src[i]), n);
}

/* Does the text end in a letter or digit (Latin-1 letters included)? */
static int ends_open(const char *t, size_t len)
{
	unsigned char c = (unsigned char)t[len - 1];

	if (c < 0x80)
		return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
	return len >= 2 && (unsigned char)t[len - 2] == 0xc3;
}

/* The sentences again, with a full stop where one is missing, for when
 * another sentence follows. */
static void pool_load_closed(struct pool *pl, const char *const *src)
{
	uint32_t i, n = count_src(src);
	char t[256];

	for (i = 0; i < n; i++) {
		size_t len = strlen(src[i]);

		if (len + 2 > sizeof t)
			rt_die(1, "sentence too long: '%s'", src[i]);
		memcpy(t, src[i], len);
		if (ends_open(t, len))
			t[len++] = '.';
		pool_add(pl, t, len, n);
	}
}

/*
 * Case of Latin letters, ASCII and U+00C0..U+00FE: enough for the
 * hashtags, whose accented letters are Portuguese and Spanish ones.
 * upper is 1 for upper case, 0 for lower.
 */
static void recase(char *d, const char *s, int upper)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		unsigned char c = *p;

		if (upper && c >= 'a' && c <= 'z')
			c -= 32;
		else if (!upper && c >= 'A' && c <= 'Z')
			c += 32;
		else if (c == 0xc3 && p[1] != '\0') {
			unsigned char c2 = p[1];

			if (upper && c2 >= 0xa0 && c2 <= 0xbe && c2 != 0xb7)
				c2 -= 0x20;
			else if (!upper && c2 >= 0x80 && c2 <= 0x9e && c2 != 0x97)
				c2 += 0x20;
			*d++ = (char)c;
			c = c2;
			p++;
		}
		*d++ = (char)c;
	}
	*d = '\0';
}

/* Each hashtag as written, in lower case and in upper case, with its #. */
static void load_tags(struct pool variants[3], const char *const *src)
{
	uint32_t i, n = count_src(src);
	char t[128];

	for (i = 0; i < n; i++) {
		size_t len = strlen(src[i]);

		if (len + 2 > sizeof t)
			rt_die(1, "hashtag too long: '%s'", src[i]);
		t[0] = '#';
		memcpy(t + 1, src[i], len + 1);
		pool_add(&variants[0], t, len + 1, n);
		recase(t + 1, src[i], 0);
		pool_add(&variants[1], t, len + 1, n);
		recase(t + 1, src[i], 1);
		pool_add(&variants[2], t, len + 1, n);
	}
}

/* A permutation of 0..n-1 from the generator (Fisher-Yates). */
static uint32_t *shuffled(uint32_t n)
{
	uint32_t *v = rt_xcalloc(n, sizeof *v);

	sim_shuffle(&rng, v, n);
	return v;
}

/* A plausible screen name: letters, digits and _, at most 15 bytes. */
static void make_name(char *name, int lang)
{
	const char *f = first_src[lang][sim_below(&rng, count_src(first_src[lang]))];
	const char *l = last_src[lang][sim_below(&rng, count_src(last_src[lang]))];
	uint32_t digits = sim_below(&rng, 100);
	char t[64];
	int len;

	switch (sim_below(&rng, 6)) {
	case 0:
		len = snprintf(t, sizeof t, "%s%s", f, l);
		break;
	case 1:
		len = snprintf(t, sizeof t, "%s_%s", f, l);
		break;
	case 2:
		len = snprintf(t, sizeof t, "%c%s%c%s", f[0] - 32, f + 1,
		               l[0] - 32, l + 1);
		break;
	case 3:
		len = snprintf(t, sizeof t, "%s%02u", f, (unsigned)digits);
		break;
	case 4:
		len = snprintf(t, sizeof t, "%s_%u", f, 1970 + (unsigned)digits % 40);
		break;
	default:
		len = snprintf(t, sizeof t, "%s%s%02u", f, l, (unsigned)digits);
		break;
	}
	if (len > 15)
		len = snprintf(t, sizeof t, "%.12s%02u", f, (unsigned)digits);
	memcpy(name, t, (size_t)len);
	name[len] = '\0';
}

static void add_user(struct user *u, const char *name, int lang)
{
	char head[96];
	int n;

	u->lang = (unsigned char)lang;
	n = snprintf(head, sizeof head, "@%s", name);
	u->at = sim_text_json(head, (size_t)n);
	/* Names need no escaping, so the head can be added as JSON text. */
	n = snprintf(head, sizeof head, "\",\"user\":\"%s\",\"lang\":\"%s\","
	             "\"text\":\"", name, lang_name[lang]);
	u->head = sim_text_add(head, (size_t)n);
}

/* Brands first (most mentioned), then people of the three languages. */
static void make_users(void)
{
	uint32_t i;
	char name[16];

	nbrands = count_src(brand_src);
	for (i = 0; i < nbrands; i++)
		add_user(&users[i], brand_src[i], EN);
	for (; i < NUSERS; i++) {
		uint32_t r = sim_below(&rng, 100);
		int lang = r < 40 ? PT : r < 75 ? EN : ES;

		make_name(name, lang);
		add_user(&users[i], name, lang);
	}
}

/* The longest record any draw can make, so a post needs one check. */
static size_t record_bound(void)
{
	uint32_t at = 0, art = 0, i, l;

	for (i = 0; i < NUSERS; i++)
		if (users[i].at.len > at)
			at = users[i].at.len;
	for (l = 0; l < NLANG; l++)
		if (articles[l].max > art)
			art = articles[l].max;
	return 64 + 24 + 128 +			/* id, ts, user head */
	       2 * (at + 6) +			/* RT or reply, cc */
	       2 * (closed[0].max + closed[1].max + closed[2].max) +
	       reactions[0].max + reactions[1].max + reactions[2].max +
	       3 * (emoji.max + 1) +
	       (5 + MAX_TRENDS) * (tags[0].max + tags[1].max + tags[2].max +
	       trend_tags[0].max + trend_tags[1].max + trend_tags[2].max + 1) +
	       64 + art + queries.max + anchors.max + 4;
}

static void setup(void)
{
	int l;

	sim_rng_seed(&rng, sim.seed);
	worker = (sim_mix(sim.seed, 0) >> 54) << 12;
	for (l = 0; l < NLANG; l++) {
		pool_load(&sentences[l], sentence_src[l]);
		pool_load_closed(&closed[l], sentence_src[l]);
		pool_load(&reactions[l], reaction_src[l]);
		pool_load(&articles[l], article_src[l]);
	}
	pool_load(&emoji, emoji_src);
	pool_load(&queries, query_src);
	pool_load(&anchors, anchor_src);
	load_tags(tags, tag_src);
	load_tags(trend_tags, trend_src);
	make_users();
	alias_build(&poster_law, NUSERS - nbrands, 20);
	alias_build(&mention_law, NUSERS, 3);
	alias_build(&tag_law, tags[0].n, 1);
	tag_rank = shuffled(tags[0].n);
	trend_order = shuffled(trend_tags[0].n);
	rec_max = record_bound();
}

static void cleanup(void)
{
	int i;

	for (i = 0; i < NLANG; i++) {
		free(sentences[i].f);
		free(closed[i].f);
		free(reactions[i].f);
		free(articles[i].f);
	}
	for (i = 0; i < 3; i++) {
		free(tags[i].f);
		free(trend_tags[i].f);
	}
	free(emoji.f);
	free(queries.f);
	free(anchors.f);
	free(tag_rank);
	free(trend_order);
	alias_free(&poster_law);
	alias_free(&mention_law);
	alias_free(&tag_law);
	sim_text_free();
}

/* The trend schedule. */

/*
 * Trend k starts near start + k * every (jittered by up to a fifth of
 * every), rises linearly for 4/5 to 7/5 of every, then decays linearly
 * for 8/5 to 3 times every; at its peak 8% to 30% of posts carry its
 * hashtag.  So three or four trends overlap at any time.
 * Everything about trend k comes from a hash of the seed and k, so the
 * schedule does not depend on how many posts were drawn.
 */
static uint32_t trend_at(int64_t k, int64_t rel)
{
	uint64_t r = sim_mix(sim.seed, (uint64_t)k);
	int64_t e = trend_every, t0, rise, decay, t;
	uint64_t peak;

	t0 = k * e + (int64_t)(r % (uint64_t)(2 * (e / 5) + 1)) - e / 5;
	rise = e * (4 + (int64_t)(r >> 16 & 3)) / 5 + 1;
	decay = e * (8 + (int64_t)(r >> 20 & 7)) / 5 + 1;
	peak = (80 + (r >> 24) % 221) * (UINT64_C(1) << 32) / 1000;
	t = rel - t0;
	if (t <= 0 || t >= rise + decay)
		return 0;
	if (t < rise)
		return (uint32_t)(peak * (uint64_t)t / (uint64_t)rise);
	return (uint32_t)(peak * (uint64_t)(rise + decay - t) / (uint64_t)decay);
}

static uint32_t trend_tag(int64_t k)
{
	int64_t n = trend_tags[0].n;

	return trend_order[((k % n) + n) % n];
}

static void trends_update(int64_t now)
{
	int64_t rel = now - sim.start_ms, k, kmax;
	uint32_t thr;

	nactive = 0;
	kmax = rel / trend_every + 1;
	for (k = (rel - 5 * trend_every) / trend_every - 1; k <= kmax; k++)
		if ((thr = trend_at(k, rel)) > 0 && nactive < MAX_TRENDS) {
			active[nactive].tag = trend_tag(k);
			active[nactive].thr = thr;
			nactive++;
		}
}

/* The post maker. */

static inline char *put_pick(char *w, const struct pool *pl)
{
	return sim_put(w, pl->f[sim_below(&rng, pl->n)]);
}

static char *put_u64(char *w, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char t[20], *p = t + sizeof t;
	size_t n;

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	n = (size_t)(t + sizeof t - p);
	memcpy(w, p, n);
	return w + n;
}

/* A hashtag spelled as most people do, or all lower or all upper case. */
static inline char *put_tag(char *w, const struct pool v[3], uint32_t i)
{
	uint32_t r = sim_below(&rng, 100);

	return sim_put(w, v[r < 72 ? 0 : r < 94 ? 1 : 2].f[i]);
}

static char *put_url(char *w, int lang)
{
	uint32_t r = sim_below(&rng, 100);
	uint64_t x;
	int i;

	memcpy(w, "https://", 8), w += 8;
	if (r < 45 || r >= 90) {
		/* A shortened link, or a video with a share token. */
		int n = r < 45 ? 10 : 11;

		if (r < 45)
			memcpy(w, "t.co/", 5), w += 5;
		else
			memcpy(w, "youtu.be/", 9), w += 9;
		x = sim_next(&rng);
		for (i = 0; i < n; i++, x >>= 6)
			*w++ = base62[x & 63];
		if (r >= 95) {
			memcpy(w, "?si=", 4), w += 4;
			x = sim_next(&rng);
			for (i = 0; i < 10; i++, x >>= 6)
				*w++ = base62[x & 63];
		}
		return w;
	}
	w = put_pick(w, &articles[lang]);
	if (chance(&rng, 300))
		w = put_pick(w, &queries);
	if (chance(&rng, 150))
		w = put_pick(w, &anchors);
	return w;
}

/* ntags everyday hashtags, not repeating first (a post's first tag may
 * have gone before the text), then those of the trends that fire. */
static char *put_hashtags(char *w, uint32_t ntags, uint32_t first)
{
	uint32_t seen[5], nseen = 0, i, j, tag;
	int t;

	if (first != UINT32_MAX)
		seen[nseen++] = first;
	for (i = 0; i < ntags; i++) {
		tag = tag_rank[alias_draw(&tag_law, &rng)];
		for (j = 0; j < nseen && seen[j] != tag; j++)
			;
		if (j < nseen)
			continue;
		seen[nseen++] = tag;
		*w++ = ' ';
		w = put_tag(w, tags, tag);
	}
	for (t = 0; t < nactive; t++)
		if ((uint32_t)sim_next(&rng) < active[t].thr) {
			*w++ = ' ';
			w = put_tag(w, trend_tags, active[t].tag);
		}
	return w;
}

static char *put_emoji(char *w)
{
	uint32_t r = sim_below(&rng, 100);
	struct sim_frag f = emoji.f[sim_below(&rng, emoji.n)];

	*w++ = ' ';
	w = sim_put(w, f);
	if (r >= 70)
		w = r < 90 ? put_pick(w, &emoji) : sim_put(sim_put(w, f), f);
	return w;
}

static char *put_text(char *w, const struct user *u)
{
	int lang = u->lang, react, more;
	uint32_t r = sim_below(&rng, 100), ntags, first = UINT32_MAX;

	if (r < 12) {
		memcpy(w, "RT ", 3), w += 3;
		w = sim_put(w, users[alias_draw(&mention_law, &rng)].at);
		*w++ = ':', *w++ = ' ';
	} else if (r < 30) {
		w = sim_put(w, users[alias_draw(&mention_law, &rng)].at);
		*w++ = ' ';
	}
	r = sim_below(&rng, 1000);
	ntags = r < 450 ? 0 : r < 750 ? 1 : r < 900 ? 2 : r < 970 ? 3 : 4;
	if (ntags > 0 && chance(&rng, 150)) {
		first = tag_rank[alias_draw(&tag_law, &rng)];
		w = put_tag(w, tags, first);
		*w++ = ' ';
		ntags--;
	}
	react = chance(&rng, 300);
	more = chance(&rng, 300);
	w = put_pick(w, react || more ? &closed[lang] : &sentences[lang]);
	if (react) {
		*w++ = ' ';
		w = put_pick(w, &reactions[lang]);
	}
	if (more) {
		*w++ = ' ';
		w = put_pick(w, &sentences[lang]);
	}
	if (chance(&rng, 350))
		w = put_emoji(w);
	if (chance(&rng, 80)) {
		memcpy(w, " cc ", 4), w += 4;
		w = sim_put(w, users[alias_draw(&mention_law, &rng)].at);
	}
	w = put_hashtags(w, ntags, first);
	if (chance(&rng, 250)) {
		*w++ = ' ';
		w = put_url(w, lang);
	}
	return w;
}

/* Snowflake ids: time since the epoch, worker, sequence; never repeated. */
static uint64_t next_id(int64_t ms)
{
	int64_t t = ms - SNOWFLAKE_EPOCH;
	uint64_t id;

	if (t < 0)
		t = 0;
	else if (t >= SNOWFLAKE_SPAN)
		t = SNOWFLAKE_SPAN - 1;
	id = (uint64_t)t << 22 | worker;
	if (id <= last_id)
		id = last_id + 1;
	return last_id = id;
}

static void post(int64_t ms)
{
	const struct user *u = &users[nbrands + alias_draw(&poster_law, &rng)];
	char *w = sim_rec_begin(rec_max);

	if (sim_ts_move(&stamp, ms))
		trends_update(ms);
	memcpy(w, "{\"id\":", 6), w += 6;
	w = put_u64(w, next_id(ms));
	memcpy(w, ",\"ts\":\"", 7), w += 7;
	w = sim_ts_put(&stamp, w, ms);
	w = sim_put(w, u->head);
	w = put_text(w, u);
	*w++ = '"', *w++ = '}';
	sim_rec_end(w);
}

/* Options. */

static _Noreturn void usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: tweet-sim [-huV] [-c COUNT] [-d DURATION] [-r RATE] "
	    "[--no-pacing]\n"
	    "                 [--seed N] [--start TIME] [--stats] "
	    "[--trend-every DURATION]\n");
	exit(status == 0 && fflush(stdout) != 0 ? 1 : status);
}

enum {
	OPT_TREND_EVERY = 0x2000
};

static const struct option longopts[] = {
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, 'd'},
	{"rate", required_argument, NULL, 'r'},
	{"seed", required_argument, NULL, SIM_OPT_SEED},
	{"start", required_argument, NULL, SIM_OPT_START},
	{"no-pacing", no_argument, NULL, SIM_OPT_NO_PACING},
	{"trend-every", required_argument, NULL, OPT_TREND_EVERY},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"unbuffered", no_argument, NULL, 'u'},
	{"stats", no_argument, NULL, RT_OPT_STATS},
	{NULL, 0, NULL, 0},
};

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "c:d:hr:uV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TREND_EVERY:
			trend_every = rt_opt_dur("--trend-every", optarg, 1000,
			                         7 * 86400000LL);
			break;
		case 'h':
			usage(0);
		default:
			if (!sim_option(c, optarg) && !rt_option(c, optarg))
				usage(2);
		}
	}
	if (optind < argc) {
		rt_warn("unexpected operand: '%s'", argv[optind]);
		usage(2);
	}
}

int main(int argc, char **argv)
{
	struct sim_run run;
	uint64_t limit;

	rt_init("tweet-sim");
	parse_options(argc, argv);
	limit = sim_schedule(sim.count >= 0 ? (uint64_t)sim.count : UINT64_MAX);
	setup();
	sim_run_init(&run, limit);
	while (sim_run_next(&run))
		for (; run.n < run.end; run.n++)
			post(sim_slot_ms(run.n));
	cleanup();
	return rt_finish(0);
}
