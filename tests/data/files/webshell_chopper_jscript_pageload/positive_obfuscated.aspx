<%-- exhunt test sample, defanged: an ASP.NET server-side comment, never compiled;
     the shape of the string-array variants (no request key, no payload)
<script runat="server" language="JScript">function Page_Load(){var _0xe=['exhunt','orange','unsafe'];eval(_0xe[0],_0xe[2]);}</script>
--%>
