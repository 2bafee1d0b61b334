namespace AsyncAI.TextToSpeech;

/// <summary>
/// A language, as base codes (<see cref="En"/>, <see cref="De"/>) and regional variants (<see cref="EnUs"/>,
/// <see cref="DeDe"/>): the same set of languages as Pipecat's <c>Language</c> enum, so pipelines ported from Pipecat
/// keep their settings. <see cref="AsyncAILanguages.ToAsyncCode"/> turns one into the code the Async service takes.
/// </summary>
/// <remarks>
/// <para>Values are explicit, contiguous from 0 and stable; new languages are appended with new values.</para>
/// <para>
/// Two tags differ from Pipecat's on purpose, so that every tag is valid BCP-47: <see cref="Xh"/> is <c>xh</c>
/// (Pipecat: <c>xh-ZA</c>, which is <see cref="XhZa"/> here) and <see cref="MyMr"/> is <c>my-Mymr</c>, Burmese in
/// Myanmar script (Pipecat: <c>mymr</c>). <see cref="Jw"/> keeps the legacy Javanese code <c>jw</c>.
/// </para>
/// </remarks>
public enum Language
{
    /// <summary>Afrikaans: <c>af</c>. Async code <c>af</c> (unverified fallback).</summary>
    Af = 0,

    /// <summary>Afrikaans (South Africa): <c>af-ZA</c>. Async code <c>af</c> (unverified fallback).</summary>
    AfZa = 1,

    /// <summary>Amharic: <c>am</c>. Async code <c>am</c> (unverified fallback).</summary>
    Am = 2,

    /// <summary>Amharic (Ethiopia): <c>am-ET</c>. Async code <c>am</c> (unverified fallback).</summary>
    AmEt = 3,

    /// <summary>Arabic: <c>ar</c>. Async code <c>ar</c> (verified).</summary>
    Ar = 4,

    /// <summary>Arabic (United Arab Emirates): <c>ar-AE</c>. Async code <c>ar</c> (verified).</summary>
    ArAe = 5,

    /// <summary>Arabic (Bahrain): <c>ar-BH</c>. Async code <c>ar</c> (verified).</summary>
    ArBh = 6,

    /// <summary>Arabic (Algeria): <c>ar-DZ</c>. Async code <c>ar</c> (verified).</summary>
    ArDz = 7,

    /// <summary>Arabic (Egypt): <c>ar-EG</c>. Async code <c>ar</c> (verified).</summary>
    ArEg = 8,

    /// <summary>Arabic (Iraq): <c>ar-IQ</c>. Async code <c>ar</c> (verified).</summary>
    ArIq = 9,

    /// <summary>Arabic (Jordan): <c>ar-JO</c>. Async code <c>ar</c> (verified).</summary>
    ArJo = 10,

    /// <summary>Arabic (Kuwait): <c>ar-KW</c>. Async code <c>ar</c> (verified).</summary>
    ArKw = 11,

    /// <summary>Arabic (Lebanon): <c>ar-LB</c>. Async code <c>ar</c> (verified).</summary>
    ArLb = 12,

    /// <summary>Arabic (Libya): <c>ar-LY</c>. Async code <c>ar</c> (verified).</summary>
    ArLy = 13,

    /// <summary>Arabic (Morocco): <c>ar-MA</c>. Async code <c>ar</c> (verified).</summary>
    ArMa = 14,

    /// <summary>Arabic (Oman): <c>ar-OM</c>. Async code <c>ar</c> (verified).</summary>
    ArOm = 15,

    /// <summary>Arabic (Qatar): <c>ar-QA</c>. Async code <c>ar</c> (verified).</summary>
    ArQa = 16,

    /// <summary>Arabic (Saudi Arabia): <c>ar-SA</c>. Async code <c>ar</c> (verified).</summary>
    ArSa = 17,

    /// <summary>Arabic (Syria): <c>ar-SY</c>. Async code <c>ar</c> (verified).</summary>
    ArSy = 18,

    /// <summary>Arabic (Tunisia): <c>ar-TN</c>. Async code <c>ar</c> (verified).</summary>
    ArTn = 19,

    /// <summary>Arabic (pseudo-locale XA): <c>ar-XA</c>. Async code <c>ar</c> (verified).</summary>
    ArXa = 20,

    /// <summary>Arabic (Yemen): <c>ar-YE</c>. Async code <c>ar</c> (verified).</summary>
    ArYe = 21,

    /// <summary>Arabic (World): <c>ar-001</c>. Async code <c>ar</c> (verified).</summary>
    Ar001 = 22,

    /// <summary>Assamese: <c>as</c>. Async code <c>as</c> (unverified fallback).</summary>
    As = 23,

    /// <summary>Assamese (India): <c>as-IN</c>. Async code <c>as</c> (unverified fallback).</summary>
    AsIn = 24,

    /// <summary>Asturian: <c>ast</c>. Async code <c>ast</c> (unverified fallback).</summary>
    Ast = 25,

    /// <summary>Azerbaijani: <c>az</c>. Async code <c>az</c> (unverified fallback).</summary>
    Az = 26,

    /// <summary>Azerbaijani (Azerbaijan): <c>az-AZ</c>. Async code <c>az</c> (unverified fallback).</summary>
    AzAz = 27,

    /// <summary>Bashkir: <c>ba</c>. Async code <c>ba</c> (unverified fallback).</summary>
    Ba = 28,

    /// <summary>Belarusian: <c>be</c>. Async code <c>be</c> (unverified fallback).</summary>
    Be = 29,

    /// <summary>Belarusian (Belarus): <c>be-BY</c>. Async code <c>be</c> (unverified fallback).</summary>
    BeBy = 30,

    /// <summary>Bulgarian: <c>bg</c>. Async code <c>bg</c> (unverified fallback).</summary>
    Bg = 31,

    /// <summary>Bulgarian (Bulgaria): <c>bg-BG</c>. Async code <c>bg</c> (unverified fallback).</summary>
    BgBg = 32,

    /// <summary>Bengali: <c>bn</c>. Async code <c>bn</c> (unverified fallback).</summary>
    Bn = 33,

    /// <summary>Bengali (Bangladesh): <c>bn-BD</c>. Async code <c>bn</c> (unverified fallback).</summary>
    BnBd = 34,

    /// <summary>Bengali (India): <c>bn-IN</c>. Async code <c>bn</c> (unverified fallback).</summary>
    BnIn = 35,

    /// <summary>Tibetan: <c>bo</c>. Async code <c>bo</c> (unverified fallback).</summary>
    Bo = 36,

    /// <summary>Breton: <c>br</c>. Async code <c>br</c> (unverified fallback).</summary>
    Br = 37,

    /// <summary>Bosnian: <c>bs</c>. Async code <c>bs</c> (unverified fallback).</summary>
    Bs = 38,

    /// <summary>Bosnian (Bosnia and Herzegovina): <c>bs-BA</c>. Async code <c>bs</c> (unverified fallback).</summary>
    BsBa = 39,

    /// <summary>Catalan: <c>ca</c>. Async code <c>ca</c> (unverified fallback).</summary>
    Ca = 40,

    /// <summary>Catalan (Spain): <c>ca-ES</c>. Async code <c>ca</c> (unverified fallback).</summary>
    CaEs = 41,

    /// <summary>Cebuano: <c>ceb</c>. Async code <c>ceb</c> (unverified fallback).</summary>
    Ceb = 42,

    /// <summary>Cebuano (Philippines): <c>ceb-PH</c>. Async code <c>ceb</c> (unverified fallback).</summary>
    CebPh = 43,

    /// <summary>Mandarin Chinese: <c>cmn</c>. Async code <c>cmn</c> (unverified fallback).</summary>
    Cmn = 44,

    /// <summary>Mandarin Chinese (China): <c>cmn-CN</c>. Async code <c>cmn</c> (unverified fallback).</summary>
    CmnCn = 45,

    /// <summary>Czech: <c>cs</c>. Async code <c>cs</c> (unverified fallback).</summary>
    Cs = 46,

    /// <summary>Czech (Czechia): <c>cs-CZ</c>. Async code <c>cs</c> (unverified fallback).</summary>
    CsCz = 47,

    /// <summary>Welsh: <c>cy</c>. Async code <c>cy</c> (unverified fallback).</summary>
    Cy = 48,

    /// <summary>Welsh (United Kingdom): <c>cy-GB</c>. Async code <c>cy</c> (unverified fallback).</summary>
    CyGb = 49,

    /// <summary>Danish: <c>da</c>. Async code <c>da</c> (unverified fallback).</summary>
    Da = 50,

    /// <summary>Danish (Denmark): <c>da-DK</c>. Async code <c>da</c> (unverified fallback).</summary>
    DaDk = 51,

    /// <summary>German: <c>de</c>. Async code <c>de</c> (verified).</summary>
    De = 52,

    /// <summary>German (Austria): <c>de-AT</c>. Async code <c>de</c> (verified).</summary>
    DeAt = 53,

    /// <summary>German (Switzerland): <c>de-CH</c>. Async code <c>de</c> (verified).</summary>
    DeCh = 54,

    /// <summary>German (Germany): <c>de-DE</c>. Async code <c>de</c> (verified).</summary>
    DeDe = 55,

    /// <summary>Greek: <c>el</c>. Async code <c>el</c> (unverified fallback).</summary>
    El = 56,

    /// <summary>Greek (Greece): <c>el-GR</c>. Async code <c>el</c> (unverified fallback).</summary>
    ElGr = 57,

    /// <summary>English: <c>en</c>. Async code <c>en</c> (verified).</summary>
    En = 58,

    /// <summary>English (Australia): <c>en-AU</c>. Async code <c>en</c> (verified).</summary>
    EnAu = 59,

    /// <summary>English (Canada): <c>en-CA</c>. Async code <c>en</c> (verified).</summary>
    EnCa = 60,

    /// <summary>English (United Kingdom): <c>en-GB</c>. Async code <c>en</c> (verified).</summary>
    EnGb = 61,

    /// <summary>English (Ghana): <c>en-GH</c>. Async code <c>en</c> (verified).</summary>
    EnGh = 62,

    /// <summary>English (Hong Kong): <c>en-HK</c>. Async code <c>en</c> (verified).</summary>
    EnHk = 63,

    /// <summary>English (Ireland): <c>en-IE</c>. Async code <c>en</c> (verified).</summary>
    EnIe = 64,

    /// <summary>English (India): <c>en-IN</c>. Async code <c>en</c> (verified).</summary>
    EnIn = 65,

    /// <summary>English (Kenya): <c>en-KE</c>. Async code <c>en</c> (verified).</summary>
    EnKe = 66,

    /// <summary>English (Nigeria): <c>en-NG</c>. Async code <c>en</c> (verified).</summary>
    EnNg = 67,

    /// <summary>English (New Zealand): <c>en-NZ</c>. Async code <c>en</c> (verified).</summary>
    EnNz = 68,

    /// <summary>English (Philippines): <c>en-PH</c>. Async code <c>en</c> (verified).</summary>
    EnPh = 69,

    /// <summary>English (Singapore): <c>en-SG</c>. Async code <c>en</c> (verified).</summary>
    EnSg = 70,

    /// <summary>English (Tanzania): <c>en-TZ</c>. Async code <c>en</c> (verified).</summary>
    EnTz = 71,

    /// <summary>English (United States): <c>en-US</c>. Async code <c>en</c> (verified).</summary>
    EnUs = 72,

    /// <summary>English (South Africa): <c>en-ZA</c>. Async code <c>en</c> (verified).</summary>
    EnZa = 73,

    /// <summary>Esperanto: <c>eo</c>. Async code <c>eo</c> (unverified fallback).</summary>
    Eo = 74,

    /// <summary>Spanish: <c>es</c>. Async code <c>es</c> (verified).</summary>
    Es = 75,

    /// <summary>Spanish (Argentina): <c>es-AR</c>. Async code <c>es</c> (verified).</summary>
    EsAr = 76,

    /// <summary>Spanish (Bolivia): <c>es-BO</c>. Async code <c>es</c> (verified).</summary>
    EsBo = 77,

    /// <summary>Spanish (Chile): <c>es-CL</c>. Async code <c>es</c> (verified).</summary>
    EsCl = 78,

    /// <summary>Spanish (Colombia): <c>es-CO</c>. Async code <c>es</c> (verified).</summary>
    EsCo = 79,

    /// <summary>Spanish (Costa Rica): <c>es-CR</c>. Async code <c>es</c> (verified).</summary>
    EsCr = 80,

    /// <summary>Spanish (Cuba): <c>es-CU</c>. Async code <c>es</c> (verified).</summary>
    EsCu = 81,

    /// <summary>Spanish (Dominican Republic): <c>es-DO</c>. Async code <c>es</c> (verified).</summary>
    EsDo = 82,

    /// <summary>Spanish (Ecuador): <c>es-EC</c>. Async code <c>es</c> (verified).</summary>
    EsEc = 83,

    /// <summary>Spanish (Spain): <c>es-ES</c>. Async code <c>es</c> (verified).</summary>
    EsEs = 84,

    /// <summary>Spanish (Equatorial Guinea): <c>es-GQ</c>. Async code <c>es</c> (verified).</summary>
    EsGq = 85,

    /// <summary>Spanish (Guatemala): <c>es-GT</c>. Async code <c>es</c> (verified).</summary>
    EsGt = 86,

    /// <summary>Spanish (Honduras): <c>es-HN</c>. Async code <c>es</c> (verified).</summary>
    EsHn = 87,

    /// <summary>Spanish (Mexico): <c>es-MX</c>. Async code <c>es</c> (verified).</summary>
    EsMx = 88,

    /// <summary>Spanish (Nicaragua): <c>es-NI</c>. Async code <c>es</c> (verified).</summary>
    EsNi = 89,

    /// <summary>Spanish (Panama): <c>es-PA</c>. Async code <c>es</c> (verified).</summary>
    EsPa = 90,

    /// <summary>Spanish (Peru): <c>es-PE</c>. Async code <c>es</c> (verified).</summary>
    EsPe = 91,

    /// <summary>Spanish (Puerto Rico): <c>es-PR</c>. Async code <c>es</c> (verified).</summary>
    EsPr = 92,

    /// <summary>Spanish (Paraguay): <c>es-PY</c>. Async code <c>es</c> (verified).</summary>
    EsPy = 93,

    /// <summary>Spanish (El Salvador): <c>es-SV</c>. Async code <c>es</c> (verified).</summary>
    EsSv = 94,

    /// <summary>Spanish (United States): <c>es-US</c>. Async code <c>es</c> (verified).</summary>
    EsUs = 95,

    /// <summary>Spanish (Uruguay): <c>es-UY</c>. Async code <c>es</c> (verified).</summary>
    EsUy = 96,

    /// <summary>Spanish (Venezuela): <c>es-VE</c>. Async code <c>es</c> (verified).</summary>
    EsVe = 97,

    /// <summary>Spanish (Latin America): <c>es-419</c>. Async code <c>es</c> (verified).</summary>
    Es419 = 98,

    /// <summary>Estonian: <c>et</c>. Async code <c>et</c> (unverified fallback).</summary>
    Et = 99,

    /// <summary>Estonian (Estonia): <c>et-EE</c>. Async code <c>et</c> (unverified fallback).</summary>
    EtEe = 100,

    /// <summary>Basque: <c>eu</c>. Async code <c>eu</c> (unverified fallback).</summary>
    Eu = 101,

    /// <summary>Basque (Spain): <c>eu-ES</c>. Async code <c>eu</c> (unverified fallback).</summary>
    EuEs = 102,

    /// <summary>Persian: <c>fa</c>. Async code <c>fa</c> (unverified fallback).</summary>
    Fa = 103,

    /// <summary>Persian (Iran): <c>fa-IR</c>. Async code <c>fa</c> (unverified fallback).</summary>
    FaIr = 104,

    /// <summary>Fulah: <c>ff</c>. Async code <c>ff</c> (unverified fallback).</summary>
    Ff = 105,

    /// <summary>Finnish: <c>fi</c>. Async code <c>fi</c> (unverified fallback).</summary>
    Fi = 106,

    /// <summary>Finnish (Finland): <c>fi-FI</c>. Async code <c>fi</c> (unverified fallback).</summary>
    FiFi = 107,

    /// <summary>Filipino: <c>fil</c>. Async code <c>fil</c> (unverified fallback).</summary>
    Fil = 108,

    /// <summary>Filipino (Philippines): <c>fil-PH</c>. Async code <c>fil</c> (unverified fallback).</summary>
    FilPh = 109,

    /// <summary>Faroese: <c>fo</c>. Async code <c>fo</c> (unverified fallback).</summary>
    Fo = 110,

    /// <summary>French: <c>fr</c>. Async code <c>fr</c> (verified).</summary>
    Fr = 111,

    /// <summary>French (Belgium): <c>fr-BE</c>. Async code <c>fr</c> (verified).</summary>
    FrBe = 112,

    /// <summary>French (Canada): <c>fr-CA</c>. Async code <c>fr</c> (verified).</summary>
    FrCa = 113,

    /// <summary>French (Switzerland): <c>fr-CH</c>. Async code <c>fr</c> (verified).</summary>
    FrCh = 114,

    /// <summary>French (France): <c>fr-FR</c>. Async code <c>fr</c> (verified).</summary>
    FrFr = 115,

    /// <summary>Irish: <c>ga</c>. Async code <c>ga</c> (unverified fallback).</summary>
    Ga = 116,

    /// <summary>Irish (Ireland): <c>ga-IE</c>. Async code <c>ga</c> (unverified fallback).</summary>
    GaIe = 117,

    /// <summary>Scottish Gaelic: <c>gd</c>. Async code <c>gd</c> (unverified fallback).</summary>
    Gd = 118,

    /// <summary>Galician: <c>gl</c>. Async code <c>gl</c> (unverified fallback).</summary>
    Gl = 119,

    /// <summary>Galician (Spain): <c>gl-ES</c>. Async code <c>gl</c> (unverified fallback).</summary>
    GlEs = 120,

    /// <summary>Gujarati: <c>gu</c>. Async code <c>gu</c> (unverified fallback).</summary>
    Gu = 121,

    /// <summary>Gujarati (India): <c>gu-IN</c>. Async code <c>gu</c> (unverified fallback).</summary>
    GuIn = 122,

    /// <summary>Hausa: <c>ha</c>. Async code <c>ha</c> (unverified fallback).</summary>
    Ha = 123,

    /// <summary>Hawaiian: <c>haw</c>. Async code <c>haw</c> (unverified fallback).</summary>
    Haw = 124,

    /// <summary>Hebrew: <c>he</c>. Async code <c>he</c> (verified).</summary>
    He = 125,

    /// <summary>Hebrew (Israel): <c>he-IL</c>. Async code <c>he</c> (verified).</summary>
    HeIl = 126,

    /// <summary>Hindi: <c>hi</c>. Async code <c>hi</c> (verified).</summary>
    Hi = 127,

    /// <summary>Hindi (India): <c>hi-IN</c>. Async code <c>hi</c> (verified).</summary>
    HiIn = 128,

    /// <summary>Croatian: <c>hr</c>. Async code <c>hr</c> (unverified fallback).</summary>
    Hr = 129,

    /// <summary>Croatian (Croatia): <c>hr-HR</c>. Async code <c>hr</c> (unverified fallback).</summary>
    HrHr = 130,

    /// <summary>Haitian Creole: <c>ht</c>. Async code <c>ht</c> (unverified fallback).</summary>
    Ht = 131,

    /// <summary>Haitian Creole (Haiti): <c>ht-HT</c>. Async code <c>ht</c> (unverified fallback).</summary>
    HtHt = 132,

    /// <summary>Hungarian: <c>hu</c>. Async code <c>hu</c> (unverified fallback).</summary>
    Hu = 133,

    /// <summary>Hungarian (Hungary): <c>hu-HU</c>. Async code <c>hu</c> (unverified fallback).</summary>
    HuHu = 134,

    /// <summary>Armenian: <c>hy</c>. Async code <c>hy</c> (verified).</summary>
    Hy = 135,

    /// <summary>Armenian (Armenia): <c>hy-AM</c>. Async code <c>hy</c> (verified).</summary>
    HyAm = 136,

    /// <summary>Indonesian: <c>id</c>. Async code <c>id</c> (unverified fallback).</summary>
    Id = 137,

    /// <summary>Indonesian (Indonesia): <c>id-ID</c>. Async code <c>id</c> (unverified fallback).</summary>
    IdId = 138,

    /// <summary>Igbo: <c>ig</c>. Async code <c>ig</c> (unverified fallback).</summary>
    Ig = 139,

    /// <summary>Icelandic: <c>is</c>. Async code <c>is</c> (unverified fallback).</summary>
    Is = 140,

    /// <summary>Icelandic (Iceland): <c>is-IS</c>. Async code <c>is</c> (unverified fallback).</summary>
    IsIs = 141,

    /// <summary>Italian: <c>it</c>. Async code <c>it</c> (verified).</summary>
    It = 142,

    /// <summary>Italian (Italy): <c>it-IT</c>. Async code <c>it</c> (verified).</summary>
    ItIt = 143,

    /// <summary>Italian (Switzerland): <c>it-CH</c>. Async code <c>it</c> (verified).</summary>
    ItCh = 144,

    /// <summary>Inuktitut (Canadian Aboriginal syllabics): <c>iu-Cans</c>. Async code <c>iu</c> (unverified fallback).</summary>
    IuCans = 145,

    /// <summary>Inuktitut (Canadian Aboriginal syllabics, Canada): <c>iu-Cans-CA</c>. Async code <c>iu</c> (unverified fallback).</summary>
    IuCansCa = 146,

    /// <summary>Inuktitut (Latin script): <c>iu-Latn</c>. Async code <c>iu</c> (unverified fallback).</summary>
    IuLatn = 147,

    /// <summary>Inuktitut (Latin script, Canada): <c>iu-Latn-CA</c>. Async code <c>iu</c> (unverified fallback).</summary>
    IuLatnCa = 148,

    /// <summary>Japanese: <c>ja</c>. Async code <c>ja</c> (verified).</summary>
    Ja = 149,

    /// <summary>Japanese (Japan): <c>ja-JP</c>. Async code <c>ja</c> (verified).</summary>
    JaJp = 150,

    /// <summary>Javanese: <c>jv</c>. Async code <c>jv</c> (unverified fallback).</summary>
    Jv = 151,

    /// <summary>Javanese (Indonesia): <c>jv-ID</c>. Async code <c>jv</c> (unverified fallback).</summary>
    JvId = 152,

    /// <summary>Javanese (Java): <c>jv-JV</c>. Async code <c>jv</c> (unverified fallback).</summary>
    JvJv = 153,

    /// <summary>Javanese (legacy code jw): <c>jw</c>. Async code <c>jw</c> (unverified fallback).</summary>
    Jw = 154,

    /// <summary>Georgian: <c>ka</c>. Async code <c>ka</c> (unverified fallback).</summary>
    Ka = 155,

    /// <summary>Georgian (Georgia): <c>ka-GE</c>. Async code <c>ka</c> (unverified fallback).</summary>
    KaGe = 156,

    /// <summary>Kabuverdianu: <c>kea</c>. Async code <c>kea</c> (unverified fallback).</summary>
    Kea = 157,

    /// <summary>Kazakh: <c>kk</c>. Async code <c>kk</c> (unverified fallback).</summary>
    Kk = 158,

    /// <summary>Kazakh (Kazakhstan): <c>kk-KZ</c>. Async code <c>kk</c> (unverified fallback).</summary>
    KkKz = 159,

    /// <summary>Khmer: <c>km</c>. Async code <c>km</c> (unverified fallback).</summary>
    Km = 160,

    /// <summary>Khmer (Cambodia): <c>km-KH</c>. Async code <c>km</c> (unverified fallback).</summary>
    KmKh = 161,

    /// <summary>Kannada: <c>kn</c>. Async code <c>kn</c> (unverified fallback).</summary>
    Kn = 162,

    /// <summary>Kannada (India): <c>kn-IN</c>. Async code <c>kn</c> (unverified fallback).</summary>
    KnIn = 163,

    /// <summary>Konkani: <c>kok</c>. Async code <c>kok</c> (unverified fallback).</summary>
    Kok = 164,

    /// <summary>Konkani (India): <c>kok-IN</c>. Async code <c>kok</c> (unverified fallback).</summary>
    KokIn = 165,

    /// <summary>Korean: <c>ko</c>. Async code <c>ko</c> (unverified fallback).</summary>
    Ko = 166,

    /// <summary>Korean (South Korea): <c>ko-KR</c>. Async code <c>ko</c> (unverified fallback).</summary>
    KoKr = 167,

    /// <summary>Kurdish: <c>ku</c>. Async code <c>ku</c> (unverified fallback).</summary>
    Ku = 168,

    /// <summary>Kyrgyz: <c>ky</c>. Async code <c>ky</c> (unverified fallback).</summary>
    Ky = 169,

    /// <summary>Kyrgyz (Kyrgyzstan): <c>ky-KG</c>. Async code <c>ky</c> (unverified fallback).</summary>
    KyKg = 170,

    /// <summary>Latin: <c>la</c>. Async code <c>la</c> (unverified fallback).</summary>
    La = 171,

    /// <summary>Latin (Vatican City): <c>la-VA</c>. Async code <c>la</c> (unverified fallback).</summary>
    LaVa = 172,

    /// <summary>Luxembourgish: <c>lb</c>. Async code <c>lb</c> (unverified fallback).</summary>
    Lb = 173,

    /// <summary>Luxembourgish (Luxembourg): <c>lb-LU</c>. Async code <c>lb</c> (unverified fallback).</summary>
    LbLu = 174,

    /// <summary>Lingala: <c>ln</c>. Async code <c>ln</c> (unverified fallback).</summary>
    Ln = 175,

    /// <summary>Lao: <c>lo</c>. Async code <c>lo</c> (unverified fallback).</summary>
    Lo = 176,

    /// <summary>Lao (Laos): <c>lo-LA</c>. Async code <c>lo</c> (unverified fallback).</summary>
    LoLa = 177,

    /// <summary>Lithuanian: <c>lt</c>. Async code <c>lt</c> (unverified fallback).</summary>
    Lt = 178,

    /// <summary>Lithuanian (Lithuania): <c>lt-LT</c>. Async code <c>lt</c> (unverified fallback).</summary>
    LtLt = 179,

    /// <summary>Ganda: <c>lg</c>. Async code <c>lg</c> (unverified fallback).</summary>
    Lg = 180,

    /// <summary>Luo: <c>luo</c>. Async code <c>luo</c> (unverified fallback).</summary>
    Luo = 181,

    /// <summary>Latvian: <c>lv</c>. Async code <c>lv</c> (unverified fallback).</summary>
    Lv = 182,

    /// <summary>Latvian (Latvia): <c>lv-LV</c>. Async code <c>lv</c> (unverified fallback).</summary>
    LvLv = 183,

    /// <summary>Malagasy: <c>mg</c>. Async code <c>mg</c> (unverified fallback).</summary>
    Mg = 184,

    /// <summary>Malagasy (Madagascar): <c>mg-MG</c>. Async code <c>mg</c> (unverified fallback).</summary>
    MgMg = 185,

    /// <summary>Maori: <c>mi</c>. Async code <c>mi</c> (unverified fallback).</summary>
    Mi = 186,

    /// <summary>Macedonian: <c>mk</c>. Async code <c>mk</c> (unverified fallback).</summary>
    Mk = 187,

    /// <summary>Macedonian (North Macedonia): <c>mk-MK</c>. Async code <c>mk</c> (unverified fallback).</summary>
    MkMk = 188,

    /// <summary>Maithili: <c>mai</c>. Async code <c>mai</c> (unverified fallback).</summary>
    Mai = 189,

    /// <summary>Maithili (India): <c>mai-IN</c>. Async code <c>mai</c> (unverified fallback).</summary>
    MaiIn = 190,

    /// <summary>Malayalam: <c>ml</c>. Async code <c>ml</c> (unverified fallback).</summary>
    Ml = 191,

    /// <summary>Malayalam (India): <c>ml-IN</c>. Async code <c>ml</c> (unverified fallback).</summary>
    MlIn = 192,

    /// <summary>Mongolian: <c>mn</c>. Async code <c>mn</c> (unverified fallback).</summary>
    Mn = 193,

    /// <summary>Mongolian (Mongolia): <c>mn-MN</c>. Async code <c>mn</c> (unverified fallback).</summary>
    MnMn = 194,

    /// <summary>Marathi: <c>mr</c>. Async code <c>mr</c> (unverified fallback).</summary>
    Mr = 195,

    /// <summary>Marathi (India): <c>mr-IN</c>. Async code <c>mr</c> (unverified fallback).</summary>
    MrIn = 196,

    /// <summary>Malay: <c>ms</c>. Async code <c>ms</c> (unverified fallback).</summary>
    Ms = 197,

    /// <summary>Malay (Malaysia): <c>ms-MY</c>. Async code <c>ms</c> (unverified fallback).</summary>
    MsMy = 198,

    /// <summary>Maltese: <c>mt</c>. Async code <c>mt</c> (unverified fallback).</summary>
    Mt = 199,

    /// <summary>Maltese (Malta): <c>mt-MT</c>. Async code <c>mt</c> (unverified fallback).</summary>
    MtMt = 200,

    /// <summary>Burmese: <c>my</c>. Async code <c>my</c> (unverified fallback).</summary>
    My = 201,

    /// <summary>Burmese (Myanmar): <c>my-MM</c>. Async code <c>my</c> (unverified fallback).</summary>
    MyMm = 202,

    /// <summary>Burmese (Myanmar script): <c>my-Mymr</c>. Async code <c>my</c> (unverified fallback).</summary>
    MyMr = 203,

    /// <summary>Norwegian Bokmål: <c>nb</c>. Async code <c>nb</c> (unverified fallback).</summary>
    Nb = 204,

    /// <summary>Norwegian Bokmål (Norway): <c>nb-NO</c>. Async code <c>nb</c> (unverified fallback).</summary>
    NbNo = 205,

    /// <summary>Norwegian: <c>no</c>. Async code <c>no</c> (unverified fallback).</summary>
    No = 206,

    /// <summary>Norwegian Nynorsk: <c>nn</c>. Async code <c>nn</c> (unverified fallback).</summary>
    Nn = 207,

    /// <summary>Norwegian Nynorsk (Norway): <c>nn-NO</c>. Async code <c>nn</c> (unverified fallback).</summary>
    NnNo = 208,

    /// <summary>Nepali: <c>ne</c>. Async code <c>ne</c> (unverified fallback).</summary>
    Ne = 209,

    /// <summary>Nepali (Nepal): <c>ne-NP</c>. Async code <c>ne</c> (unverified fallback).</summary>
    NeNp = 210,

    /// <summary>Dutch: <c>nl</c>. Async code <c>nl</c> (verified).</summary>
    Nl = 211,

    /// <summary>Dutch (Belgium): <c>nl-BE</c>. Async code <c>nl</c> (verified).</summary>
    NlBe = 212,

    /// <summary>Dutch (Netherlands): <c>nl-NL</c>. Async code <c>nl</c> (verified).</summary>
    NlNl = 213,

    /// <summary>Northern Sotho: <c>nso</c>. Async code <c>nso</c> (unverified fallback).</summary>
    Nso = 214,

    /// <summary>Chichewa: <c>ny</c>. Async code <c>ny</c> (unverified fallback).</summary>
    Ny = 215,

    /// <summary>Occitan: <c>oc</c>. Async code <c>oc</c> (unverified fallback).</summary>
    Oc = 216,

    /// <summary>Odia: <c>or</c>. Async code <c>or</c> (unverified fallback).</summary>
    Or = 217,

    /// <summary>Odia (India): <c>or-IN</c>. Async code <c>or</c> (unverified fallback).</summary>
    OrIn = 218,

    /// <summary>Punjabi: <c>pa</c>. Async code <c>pa</c> (unverified fallback).</summary>
    Pa = 219,

    /// <summary>Punjabi (India): <c>pa-IN</c>. Async code <c>pa</c> (unverified fallback).</summary>
    PaIn = 220,

    /// <summary>Polish: <c>pl</c>. Async code <c>pl</c> (unverified fallback).</summary>
    Pl = 221,

    /// <summary>Polish (Pl province): <c>pl-PL</c>. Async code <c>pl</c> (unverified fallback).</summary>
    PlPl = 222,

    /// <summary>Pashto: <c>ps</c>. Async code <c>ps</c> (unverified fallback).</summary>
    Ps = 223,

    /// <summary>Pashto (Afghanistan): <c>ps-AF</c>. Async code <c>ps</c> (unverified fallback).</summary>
    PsAf = 224,

    /// <summary>Portuguese: <c>pt</c>. Async code <c>pt</c> (verified).</summary>
    Pt = 225,

    /// <summary>Portuguese (Brazil): <c>pt-BR</c>. Async code <c>pt</c> (verified).</summary>
    PtBr = 226,

    /// <summary>Portuguese (Portugal): <c>pt-PT</c>. Async code <c>pt</c> (verified).</summary>
    PtPt = 227,

    /// <summary>Romanian: <c>ro</c>. Async code <c>ro</c> (verified).</summary>
    Ro = 228,

    /// <summary>Romanian (Romania): <c>ro-RO</c>. Async code <c>ro</c> (verified).</summary>
    RoRo = 229,

    /// <summary>Russian: <c>ru</c>. Async code <c>ru</c> (verified).</summary>
    Ru = 230,

    /// <summary>Russian (Russia): <c>ru-RU</c>. Async code <c>ru</c> (verified).</summary>
    RuRu = 231,

    /// <summary>Sanskrit: <c>sa</c>. Async code <c>sa</c> (unverified fallback).</summary>
    Sa = 232,

    /// <summary>Sindhi: <c>sd</c>. Async code <c>sd</c> (unverified fallback).</summary>
    Sd = 233,

    /// <summary>Sindhi (India): <c>sd-IN</c>. Async code <c>sd</c> (unverified fallback).</summary>
    SdIn = 234,

    /// <summary>Sinhala: <c>si</c>. Async code <c>si</c> (unverified fallback).</summary>
    Si = 235,

    /// <summary>Sinhala (Sri Lanka): <c>si-LK</c>. Async code <c>si</c> (unverified fallback).</summary>
    SiLk = 236,

    /// <summary>Slovak: <c>sk</c>. Async code <c>sk</c> (unverified fallback).</summary>
    Sk = 237,

    /// <summary>Slovak (Slovakia): <c>sk-SK</c>. Async code <c>sk</c> (unverified fallback).</summary>
    SkSk = 238,

    /// <summary>Slovenian: <c>sl</c>. Async code <c>sl</c> (unverified fallback).</summary>
    Sl = 239,

    /// <summary>Slovenian (Slovenia): <c>sl-SI</c>. Async code <c>sl</c> (unverified fallback).</summary>
    SlSi = 240,

    /// <summary>Shona: <c>sn</c>. Async code <c>sn</c> (unverified fallback).</summary>
    Sn = 241,

    /// <summary>Somali: <c>so</c>. Async code <c>so</c> (unverified fallback).</summary>
    So = 242,

    /// <summary>Somali (Somalia): <c>so-SO</c>. Async code <c>so</c> (unverified fallback).</summary>
    SoSo = 243,

    /// <summary>Albanian: <c>sq</c>. Async code <c>sq</c> (unverified fallback).</summary>
    Sq = 244,

    /// <summary>Albanian (Albania): <c>sq-AL</c>. Async code <c>sq</c> (unverified fallback).</summary>
    SqAl = 245,

    /// <summary>Serbian: <c>sr</c>. Async code <c>sr</c> (unverified fallback).</summary>
    Sr = 246,

    /// <summary>Serbian (Serbia): <c>sr-RS</c>. Async code <c>sr</c> (unverified fallback).</summary>
    SrRs = 247,

    /// <summary>Serbian (Latin script): <c>sr-Latn</c>. Async code <c>sr</c> (unverified fallback).</summary>
    SrLatn = 248,

    /// <summary>Serbian (Latin script, Serbia): <c>sr-Latn-RS</c>. Async code <c>sr</c> (unverified fallback).</summary>
    SrLatnRs = 249,

    /// <summary>Sundanese: <c>su</c>. Async code <c>su</c> (unverified fallback).</summary>
    Su = 250,

    /// <summary>Sundanese (Indonesia): <c>su-ID</c>. Async code <c>su</c> (unverified fallback).</summary>
    SuId = 251,

    /// <summary>Swedish: <c>sv</c>. Async code <c>sv</c> (unverified fallback).</summary>
    Sv = 252,

    /// <summary>Swedish (Sweden): <c>sv-SE</c>. Async code <c>sv</c> (unverified fallback).</summary>
    SvSe = 253,

    /// <summary>Swahili: <c>sw</c>. Async code <c>sw</c> (unverified fallback).</summary>
    Sw = 254,

    /// <summary>Swahili (Kenya): <c>sw-KE</c>. Async code <c>sw</c> (unverified fallback).</summary>
    SwKe = 255,

    /// <summary>Swahili (Tanzania): <c>sw-TZ</c>. Async code <c>sw</c> (unverified fallback).</summary>
    SwTz = 256,

    /// <summary>Tamil: <c>ta</c>. Async code <c>ta</c> (unverified fallback).</summary>
    Ta = 257,

    /// <summary>Tamil (India): <c>ta-IN</c>. Async code <c>ta</c> (unverified fallback).</summary>
    TaIn = 258,

    /// <summary>Tamil (Sri Lanka): <c>ta-LK</c>. Async code <c>ta</c> (unverified fallback).</summary>
    TaLk = 259,

    /// <summary>Tamil (Malaysia): <c>ta-MY</c>. Async code <c>ta</c> (unverified fallback).</summary>
    TaMy = 260,

    /// <summary>Tamil (Singapore): <c>ta-SG</c>. Async code <c>ta</c> (unverified fallback).</summary>
    TaSg = 261,

    /// <summary>Telugu: <c>te</c>. Async code <c>te</c> (unverified fallback).</summary>
    Te = 262,

    /// <summary>Telugu (India): <c>te-IN</c>. Async code <c>te</c> (unverified fallback).</summary>
    TeIn = 263,

    /// <summary>Tajik: <c>tg</c>. Async code <c>tg</c> (unverified fallback).</summary>
    Tg = 264,

    /// <summary>Thai: <c>th</c>. Async code <c>th</c> (unverified fallback).</summary>
    Th = 265,

    /// <summary>Thai (Thailand): <c>th-TH</c>. Async code <c>th</c> (unverified fallback).</summary>
    ThTh = 266,

    /// <summary>Turkmen: <c>tk</c>. Async code <c>tk</c> (unverified fallback).</summary>
    Tk = 267,

    /// <summary>Tagalog: <c>tl</c>. Async code <c>tl</c> (unverified fallback).</summary>
    Tl = 268,

    /// <summary>Turkish: <c>tr</c>. Async code <c>tr</c> (verified).</summary>
    Tr = 269,

    /// <summary>Turkish (Turkey): <c>tr-TR</c>. Async code <c>tr</c> (verified).</summary>
    TrTr = 270,

    /// <summary>Tatar: <c>tt</c>. Async code <c>tt</c> (unverified fallback).</summary>
    Tt = 271,

    /// <summary>Uyghur: <c>ug</c>. Async code <c>ug</c> (unverified fallback).</summary>
    Ug = 272,

    /// <summary>Ukrainian: <c>uk</c>. Async code <c>uk</c> (unverified fallback).</summary>
    Uk = 273,

    /// <summary>Ukrainian (Ukraine): <c>uk-UA</c>. Async code <c>uk</c> (unverified fallback).</summary>
    UkUa = 274,

    /// <summary>Umbundu: <c>umb</c>. Async code <c>umb</c> (unverified fallback).</summary>
    Umb = 275,

    /// <summary>Urdu: <c>ur</c>. Async code <c>ur</c> (unverified fallback).</summary>
    Ur = 276,

    /// <summary>Urdu (India): <c>ur-IN</c>. Async code <c>ur</c> (unverified fallback).</summary>
    UrIn = 277,

    /// <summary>Urdu (Pakistan): <c>ur-PK</c>. Async code <c>ur</c> (unverified fallback).</summary>
    UrPk = 278,

    /// <summary>Uzbek: <c>uz</c>. Async code <c>uz</c> (unverified fallback).</summary>
    Uz = 279,

    /// <summary>Uzbek (Uzbekistan): <c>uz-UZ</c>. Async code <c>uz</c> (unverified fallback).</summary>
    UzUz = 280,

    /// <summary>Vietnamese: <c>vi</c>. Async code <c>vi</c> (unverified fallback).</summary>
    Vi = 281,

    /// <summary>Vietnamese (Vietnam): <c>vi-VN</c>. Async code <c>vi</c> (unverified fallback).</summary>
    ViVn = 282,

    /// <summary>Wolof: <c>wo</c>. Async code <c>wo</c> (unverified fallback).</summary>
    Wo = 283,

    /// <summary>Wu Chinese: <c>wuu</c>. Async code <c>wuu</c> (unverified fallback).</summary>
    Wuu = 284,

    /// <summary>Wu Chinese (China): <c>wuu-CN</c>. Async code <c>wuu</c> (unverified fallback).</summary>
    WuuCn = 285,

    /// <summary>Xhosa: <c>xh</c>. Async code <c>xh</c> (unverified fallback).</summary>
    Xh = 286,

    /// <summary>Xhosa (South Africa): <c>xh-ZA</c>. Async code <c>xh</c> (unverified fallback).</summary>
    XhZa = 287,

    /// <summary>Yiddish: <c>yi</c>. Async code <c>yi</c> (unverified fallback).</summary>
    Yi = 288,

    /// <summary>Yoruba: <c>yo</c>. Async code <c>yo</c> (unverified fallback).</summary>
    Yo = 289,

    /// <summary>Cantonese: <c>yue</c>. Async code <c>yue</c> (unverified fallback).</summary>
    Yue = 290,

    /// <summary>Cantonese (China): <c>yue-CN</c>. Async code <c>yue</c> (unverified fallback).</summary>
    YueCn = 291,

    /// <summary>Chinese: <c>zh</c>. Async code <c>zh</c> (verified).</summary>
    Zh = 292,

    /// <summary>Chinese (China): <c>zh-CN</c>. Async code <c>zh</c> (verified).</summary>
    ZhCn = 293,

    /// <summary>Chinese (China, Guangxi province): <c>zh-CN-guangxi</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnGuangxi = 294,

    /// <summary>Chinese (China, Henan province): <c>zh-CN-henan</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnHenan = 295,

    /// <summary>Chinese (China, Liaoning province): <c>zh-CN-liaoning</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnLiaoning = 296,

    /// <summary>Chinese (China, Shaanxi province): <c>zh-CN-shaanxi</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnShaanxi = 297,

    /// <summary>Chinese (China, Shandong province): <c>zh-CN-shandong</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnShandong = 298,

    /// <summary>Chinese (China, Sichuan province): <c>zh-CN-sichuan</c>. Async code <c>zh</c> (verified).</summary>
    ZhCnSichuan = 299,

    /// <summary>Chinese (Hong Kong): <c>zh-HK</c>. Async code <c>zh</c> (verified).</summary>
    ZhHk = 300,

    /// <summary>Chinese (Taiwan): <c>zh-TW</c>. Async code <c>zh</c> (verified).</summary>
    ZhTw = 301,

    /// <summary>Zulu: <c>zu</c>. Async code <c>zu</c> (unverified fallback).</summary>
    Zu = 302,

    /// <summary>Zulu (South Africa): <c>zu-ZA</c>. Async code <c>zu</c> (unverified fallback).</summary>
    ZuZa = 303,
}
