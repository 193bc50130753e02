// libxml2 for the XML formats. Debian's build enables ICU, whose headers clash with the ICU that
// Foundation bundles (debug builds fail on UErrorCode): take the version header first, then switch
// ICU off before the headers that would pull it in. The gateway uses none of libxml2's ICU paths.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
