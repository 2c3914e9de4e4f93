/** Common English words that say nothing about what a text is about, including modal verbs. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all almost along already also although always am among an and another any ' +
    'anyone anything are around as at be became because become been before being below between both but by can ' +
    'cannot could did do does doing done down during each either else enough etc even ever every few for from ' +
    'further get gets getting give given go goes had has have having he her here hers herself him himself his how ' +
    'however i if in into is it its itself just least less let like made make makes many may me might more most ' +
    'much must my myself near need needs neither no nor not now of off often on once one only onto or other ' +
    'others our ours ourselves out over own per perhaps please put rather same several shall she should since so ' +
    'some such than that the their theirs them themselves then there therefore these they this those though ' +
    'through thus to together too toward towards under until up upon us use used uses using very via was we well ' +
    'were what whatever when where whether which while who whom whose why will with within without would yet you ' +
    'your yours yourself yourselves able across back based currently e.g i.e including include includes new ' +
    'still take takes want wants way ways also two three four five six seven eight nine ten'
  ).split(' '),
);
